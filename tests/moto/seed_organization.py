"""An organization in moto: the current account (123456789012) as its management account, one
member account holding a REST API (created through the member's role, as apispm will read it),
and one suspended account that must not be swept.

Usage: seed_organization.py ENDPOINT_URL  -> prints {"member", "suspended", "api"}
"""
import json
import sys

import boto3

ENDPOINT = sys.argv[1]


def client(service, **creds):
    return boto3.client(service, region_name="us-east-1", endpoint_url=ENDPOINT,
                        **(creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}))


org = client("organizations")
org.create_organization(FeatureSet="ALL")
member = org.create_account(Email="payments@example.com", AccountName="payments")["CreateAccountStatus"]["AccountId"]
suspended = org.create_account(Email="old@example.com", AccountName="old")["CreateAccountStatus"]["AccountId"]
org.close_account(AccountId=suspended)

role = client("sts").assume_role(RoleArn=f"arn:aws:iam::{member}:role/apispm-read", RoleSessionName="seed")
c = role["Credentials"]
apigw = client("apigateway", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
               aws_session_token=c["SessionToken"])
api = apigw.create_rest_api(name="payments-member", endpointConfiguration={"types": ["REGIONAL"]})["id"]
root = [x for x in apigw.get_resources(restApiId=api)["items"] if x["path"] == "/"][0]["id"]
apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
apigw.create_deployment(restApiId=api, stageName="prod")
print(json.dumps({"member": member, "suspended": suspended, "api": api}))
