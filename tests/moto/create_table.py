"""Create the apispm table in moto as the SAM template will: pk/sk strings, on-demand, TTL on
`expires_at`. Usage: create_table.py ENDPOINT_URL TABLE"""
import json
import sys

import boto3

endpoint, table = sys.argv[1], sys.argv[2]
ddb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint,
                   aws_access_key_id="testing", aws_secret_access_key="testing")
ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                       {"AttributeName": "sk", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
print(json.dumps({"table": table}))
