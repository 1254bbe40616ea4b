"""Fix one seeded misconfiguration: encrypt the REST API's stage cache (DP-1 on legacy-bad/dev).

Usage: fix_cache_encryption.py ENDPOINT_URL REST_API_ID
"""
import json
import sys

import boto3

ENDPOINT, API = sys.argv[1], sys.argv[2]
apigw = boto3.client("apigateway", region_name="us-east-1", endpoint_url=ENDPOINT,
                     aws_access_key_id="testing", aws_secret_access_key="testing")
apigw.update_stage(restApiId=API, stageName="dev", patchOperations=[
    {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": "true"}])
print(json.dumps({"fixed": f"{API}/dev"}))
