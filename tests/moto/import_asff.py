"""Import an ASFF findings file into moto's Security Hub with BatchImportFindings, in batches of
100 (the API's limit). botocore validates every finding against the service model first.

Usage: import_asff.py ENDPOINT_URL FILE  -> prints {"success": n, "failed": n, "errors": [...]}
"""
import json
import sys

import boto3

endpoint, path = sys.argv[1], sys.argv[2]
hub = boto3.client("securityhub", region_name="us-east-1", endpoint_url=endpoint,
                   aws_access_key_id="testing", aws_secret_access_key="testing")
findings = json.load(open(path))
success = failed = 0
errors = []
for i in range(0, len(findings), 100):
    try:
        r = hub.batch_import_findings(Findings=findings[i:i + 100])
        success += r["SuccessCount"]
        failed += r["FailedCount"]
        errors += [f.get("ErrorMessage", "") for f in r.get("FailedFindings", [])]
    except Exception as e:  # a shape error is reported, not raised: the test reads it
        failed += len(findings[i:i + 100])
        errors.append(str(e))
print(json.dumps({"success": success, "failed": failed, "errors": errors[:5]}))
