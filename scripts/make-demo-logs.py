#!/usr/bin/env python3
"""Writes the demo estate's access logs (examples/demo/logs/): a Firehose object of gzip'd
CloudWatch Logs envelopes with JSON lines for `orders`, and a plain CLF file for `users`.
Each line is there to show one case: see the comments."""
import gzip, json, pathlib

root = pathlib.Path(__file__).resolve().parent.parent / "examples/demo/logs"
(root / "orders").mkdir(parents=True, exist_ok=True)
(root / "users").mkdir(parents=True, exist_ok=True)

def line(rid, ip, t, method, path, status, principal="-", extra=None):
    rec = {"requestId": rid, "ip": ip, "requestTime": t, "httpMethod": method, "path": path,
           "status": str(status), "protocol": "HTTP/1.1", "responseLength": "512", "principalId": principal}
    rec.update(extra or {})
    return json.dumps(rec)

orders = [
    line("r1", "203.0.113.10", "01/Dec/2026:09:00:00 +0000", "GET", "/v1/orders", 200, "user-17"),
    line("r2", "203.0.113.11", "01/Dec/2026:09:01:00 +0000", "GET", "/v1/orders", 200, "user-18"),
    line("r3", "203.0.113.12", "01/Dec/2026:09:02:00 +0000", "GET", "/v1/orders", 401),
    line("r4", "203.0.113.10", "01/Dec/2026:09:03:00 +0000", "GET", "/v1/orders/3f2c1b9e-8c1d-4b7a-9a2e-1c2d3e4f5a6b", 200, "user-17"),
    # A protected route answering without an authorizer principal: TRAFFIC-1.
    line("r5", "198.51.100.23", "01/Dec/2026:09:04:00 +0000", "GET", "/v1/orders/8812", 200),
    # Deprecated and still called: zombie.
    line("r6", "198.51.100.40", "01/Dec/2026:09:05:00 +0000", "GET", "/v1/orders/export", 200, "batch-job"),
    line("r7", "198.51.100.40", "02/Dec/2026:09:05:00 +0000", "GET", "/v1/orders/export", 200, "batch-job"),
    # Undeclared: shadow endpoints; one with email addresses in the URL (DATA-1).
    line("r8", "192.0.2.77", "01/Dec/2026:09:06:00 +0000", "POST", "/v1/legacy/orders-sync", 200),
    line("r9", "192.0.2.78", "01/Dec/2026:09:07:00 +0000", "GET", "/v1/customers/jane.doe@example.com/orders", 200),
    line("r10", "192.0.2.78", "01/Dec/2026:09:08:00 +0000", "GET", "/v1/customers/john.roe@example.com/orders", 200),
    # A bearer token in a custom log field: DATA-2 (secrets in logs).
    line("r11", "203.0.113.10", "01/Dec/2026:09:09:00 +0000", "GET", "/v1/orders", 200, "user-17",
         {"authToken": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTE3In0.c2lnbmF0dXJlLWRlbW8"}),
]

def envelope(kind, msgs):
    return json.dumps({"messageType": kind, "owner": "123456789012", "logGroup": "/aws/apigateway/orders/prod-access",
                       "logStream": "a1b2c3", "subscriptionFilters": ["apigw-to-firehose"],
                       "logEvents": [{"id": str(i), "timestamp": 1796115600000 + i, "message": m}
                                     for i, m in enumerate(msgs)]}).encode()

control = json.dumps({"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
                      "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": 1510109208016,
                      "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}).encode()
# Firehose fed by a CloudWatch Logs subscription: one gzip member per record, no delimiter, no
# file extension; a health-check record, and one truncated line that is counted, not fatal.
blob = (gzip.compress(control, mtime=0) + gzip.compress(envelope("DATA_MESSAGE", orders[:6]), mtime=0)
        + gzip.compress(envelope("DATA_MESSAGE", orders[6:] + ['{"requestId": "broken']), mtime=0))
(root / "orders" / "apispm-demo-firehose-1-2026-12-01-09-10-00-5b0c6f2e").write_bytes(blob)

# Users: the REST console's CLF preset, plain text. GET /users/search is deprecated: zombie.
users = [
    '203.0.113.50 - - [01/Dec/2026:10:00:00 +0000] "POST /users/login HTTP/1.1" 200 128 6a0f6a52-1111-4e1e-9c3a-000000000001 ExtId1=',
    '203.0.113.51 - - [01/Dec/2026:10:01:00 +0000] "GET /users/me HTTP/1.1" 200 512 6a0f6a52-1111-4e1e-9c3a-000000000002 ExtId2=',
    '198.51.100.9 - - [01/Dec/2026:10:02:00 +0000] "GET /users/search HTTP/1.1" 200 2048 6a0f6a52-1111-4e1e-9c3a-000000000003 ExtId3=',
    '198.51.100.9 - - [01/Dec/2026:10:03:00 +0000] "GET /users/search HTTP/1.1" 200 2048 6a0f6a52-1111-4e1e-9c3a-000000000004 ExtId4=',
]
(root / "users" / "access-2026-12-01.log").write_text("\n".join(users) + "\n")
