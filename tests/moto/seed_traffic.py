"""Put declared specs and access logs for the seeded REST API `orders-good` into moto's S3.

Usage: seed_traffic.py ENDPOINT_URL REST_API_ID
- s3://apispm-specs/specs/: an estate.yaml manifest tying orders.yaml to the API, and the spec
  (GET /orders marked deprecated; POST /orders declared but not deployed).
- s3://apispm-logs/logs/: a Firehose object (multi-member gzip of CloudWatch envelopes, tied to
  the stage by its log group), a gzip'd raw-lines object under <api-id>/prod/ (tied by its key),
  and a truncated gzip object that must be reported, not fatal.
"""
import gzip
import json
import sys

import boto3

ENDPOINT, API = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=ENDPOINT,
                  aws_access_key_id="testing", aws_secret_access_key="testing")
for bucket in ("apispm-specs", "apispm-logs"):
    s3.create_bucket(Bucket=bucket)

s3.put_object(Bucket="apispm-specs", Key="specs/estate.yaml", Body=f"""
services:
  - name: orders
    owner: team-orders@example.com
    specs: [orders.yaml]
    apis: [{API}]
""".encode())
s3.put_object(Bucket="apispm-specs", Key="specs/orders.yaml", Body=b"""
openapi: 3.0.3
info: {title: Orders, version: "2"}
paths:
  /orders:
    get:
      deprecated: true
      security: [{pool: []}]
      responses: {"200": {description: ok}}
    post:
      security: [{pool: []}]
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"201": {description: created}}
components:
  securitySchemes:
    pool: {type: apiKey, name: Authorization, in: header}
""")


def rec(path, status, principal, ip="203.0.113.9", resource=None):
    # The stage's format (seed_estate.py): requestId, ip, requestTime, httpMethod, resourcePath,
    # routeKey, status. Extra keys are recognized by name.
    r = {"requestId": "r", "ip": ip, "requestTime": "01/Dec/2026:10:00:00 +0000", "httpMethod": "GET",
         "resourcePath": resource or path, "routeKey": "-", "status": str(status), "principalId": principal}
    return json.dumps(r)


envelope = json.dumps({"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": "api-access",
                       "logStream": "s", "subscriptionFilters": ["f"],
                       "logEvents": [{"id": str(i), "timestamp": 1, "message": m} for i, m in enumerate([
                           rec("/orders", 200, "user-1"), rec("/orders", 200, "user-2", ip="203.0.113.10"),
                           rec("/internal/debug", 200, "-"),
                       ])]})
control = json.dumps({"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
                      "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": 1, "message": "CWL CONTROL MESSAGE"}]})
s3.put_object(Bucket="apispm-logs", Key="logs/firehose/2026/12/01/10/stream-1-2026-12-01-10-00-00-abc",
              Body=gzip.compress(control.encode()) + gzip.compress(envelope.encode()))
raw = "\n".join([
    json.dumps({"requestId": "x", "ip": "198.51.100.1", "requestTime": "01/Dec/2026:11:00:00 +0000",
                "httpMethod": "GET", "path": "/customers/jane@example.com", "status": "200"}),
    "this line is not a log record",
]) + "\n"
s3.put_object(Bucket="apispm-logs", Key=f"logs/{API}/prod/2026-12-01.log.gz", Body=gzip.compress(raw.encode()))
broken = gzip.compress(("\n".join([rec("/orders", 200, "user-3")] * 500)).encode())
s3.put_object(Bucket="apispm-logs", Key="logs/firehose/2026/12/01/11/truncated", Body=broken[: len(broken) // 2])
print(json.dumps({"ok": True}))
