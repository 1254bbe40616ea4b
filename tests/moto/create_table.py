"""Create the apispm table in moto from the SAM template's own definition (infra/template.yaml,
PostureTable): key schema, attribute definitions, billing mode and the TTL attribute.

Usage: create_table.py ENDPOINT_URL TABLE
"""
import json
import pathlib
import sys

import boto3
import yaml

endpoint, table = sys.argv[1], sys.argv[2]
template = yaml.safe_load((pathlib.Path(__file__).parents[2] / "infra/template.yaml").read_text())
props = template["Resources"]["PostureTable"]["Properties"]
ddb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint,
                   aws_access_key_id="testing", aws_secret_access_key="testing")
ddb.create_table(TableName=table, BillingMode=props["BillingMode"],
                 AttributeDefinitions=props["AttributeDefinitions"], KeySchema=props["KeySchema"])
ttl = props["TimeToLiveSpecification"]
ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
    "Enabled": ttl["Enabled"], "AttributeName": ttl["AttributeName"]})
print(json.dumps({"table": table, "ttl": ttl["AttributeName"]}))
