"""Put policy files for the sweep function into moto's S3 (bucket apispm-config):
policies.yaml (one custom policy) and broken.yaml (an unknown control on line 6).

Usage: put_policies.py ENDPOINT_URL
"""
import json
import sys

import boto3

s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=sys.argv[1],
                  aws_access_key_id="testing", aws_secret_access_key="testing")
s3.create_bucket(Bucket="apispm-config")
s3.put_object(Bucket="apispm-config", Key="policies.yaml", Body=b"""policies:
  - name: owned-apis
    description: Every API has an owner
    severity: high
    require: "owner != null"
    remediation: Tag the API with apispm:owner.
""")
s3.put_object(Bucket="apispm-config", Key="broken.yaml", Body=b"""policies:
  - name: typo
    description: a policy that requires a control that does not exist
    severity: high
    required_controls:
      - authentikation
""")
print(json.dumps({"bucket": "apispm-config"}))
