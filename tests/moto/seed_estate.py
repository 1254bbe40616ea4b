"""Seed a small API Gateway estate in moto: for every gateway control at least one resource that
passes and one that fails, across two regions; REST, HTTP and WebSocket APIs.

Usage: seed_estate.py ENDPOINT_URL  -> prints a JSON manifest of what it created (ids, ARNs).
Runs against moto only (fake credentials); the collector under test is the Rust SDK.
"""
import json
import sys

import boto3

ENDPOINT = sys.argv[1]
ACCOUNT = "123456789012"  # moto's default account


def client(service, region):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=ENDPOINT,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime", "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath", "routeKey": "$context.routeKey",
    "status": "$context.status",
})
manifest = {"us-east-1": {}, "eu-west-1": {}}

# ---------------------------------------------------------------- us-east-1: REST
r = "us-east-1"
apigw = client("apigateway", r)
apigw.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn",
                                       "value": f"arn:aws:iam::{ACCOUNT}:role/apigw-logs"}])


def rest_api(name, **kw):
    api = apigw.create_rest_api(name=name, **kw)
    root = [x for x in apigw.get_resources(restApiId=api["id"])["items"] if x["path"] == "/"][0]
    return api["id"], root["id"]


# A well-configured public REST API.
good, root = rest_api("orders-good", endpointConfiguration={"types": ["REGIONAL"]},
                      disableExecuteApiEndpoint=True,
                      tags={"apispm:classification": "external", "apispm:owner": "team-orders"})
auth = apigw.create_authorizer(restApiId=good, name="pool", type="COGNITO_USER_POOLS",
                               providerARNs=[f"arn:aws:cognito-idp:{r}:{ACCOUNT}:userpool/{r}_abc"],
                               identitySource="method.request.header.Authorization")
validator = apigw.create_request_validator(restApiId=good, name="all", validateRequestBody=True,
                                           validateRequestParameters=True)
res = apigw.create_resource(restApiId=good, parentId=root, pathPart="orders")
apigw.put_method(restApiId=good, resourceId=res["id"], httpMethod="GET", authorizationType="COGNITO_USER_POOLS",
                 authorizerId=auth["id"], requestValidatorId=validator["id"],
                 requestParameters={"method.request.querystring.limit": False})
apigw.put_integration(restApiId=good, resourceId=res["id"], httpMethod="GET", type="HTTP_PROXY",
                      integrationHttpMethod="GET", uri="https://orders.internal.example.com/orders")
apigw.create_deployment(restApiId=good, stageName="prod")
apigw.update_stage(restApiId=good, stageName="prod", patchOperations=[
    {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
    {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"},
    {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
    {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": "true"},
    {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "100"},
    {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "50"},
    {"op": "replace", "path": "/tracingEnabled", "value": "true"},
    {"op": "replace", "path": "/accessLogSettings/destinationArn",
     "value": f"arn:aws:logs:{r}:{ACCOUNT}:log-group:api-access"},
    {"op": "replace", "path": "/accessLogSettings/format", "value": LOG_FORMAT},
])
acl = client("wafv2", r).create_web_acl(Name="orders-acl", Scope="REGIONAL", DefaultAction={"Allow": {}},
                                        VisibilityConfig={"SampledRequestsEnabled": True,
                                                          "CloudWatchMetricsEnabled": True, "MetricName": "acl"},
                                        Rules=[])["Summary"]["ARN"]
client("wafv2", r).associate_web_acl(WebACLArn=acl,
                                     ResourceArn=f"arn:aws:apigateway:{r}::/restapis/{good}/stages/prod")
plan = apigw.create_usage_plan(name="orders-plan", apiStages=[{"apiId": good, "stage": "prod"}],
                               throttle={"burstLimit": 20, "rateLimit": 10}, quota={"limit": 1000, "period": "DAY"})
apigw.create_domain_name(domainName="orders.example.com", regionalCertificateArn=f"arn:aws:acm:{r}:{ACCOUNT}:certificate/1",
                         endpointConfiguration={"types": ["REGIONAL"]}, securityPolicy="TLS_1_2")
apigw.create_base_path_mapping(domainName="orders.example.com", restApiId=good, stage="prod", basePath="v1")
manifest[r]["rest_good"] = good

# A badly configured public REST API.
bad, root = rest_api("legacy-bad", endpointConfiguration={"types": ["EDGE"]},
                     policy=json.dumps({"Version": "2012-10-17", "Statement": [
                         {"Sid": "open", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                          "Resource": "execute-api:/*"}]}))
res = apigw.create_resource(restApiId=bad, parentId=root, pathPart="items")
apigw.put_method(restApiId=bad, resourceId=res["id"], httpMethod="GET", authorizationType="NONE",
                 apiKeyRequired=True, requestParameters={"method.request.querystring.q": False})
apigw.put_integration(restApiId=bad, resourceId=res["id"], httpMethod="GET", type="HTTP",
                      integrationHttpMethod="GET", uri="http://legacy.internal.example.com/items")
apigw.put_gateway_response(restApiId=bad, responseType="DEFAULT_4XX",
                           responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"})
apigw.create_deployment(restApiId=bad, stageName="dev",
                        variables={"backend": "legacy.internal.example.com", "awsKey": "AKIAIOSFODNN7EXAMPLE"})
apigw.update_stage(restApiId=bad, stageName="dev", patchOperations=[
    {"op": "replace", "path": "/*/*/logging/loglevel", "value": "OFF"},
    {"op": "replace", "path": "/*/*/logging/dataTrace", "value": "true"},
    {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
    {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": "false"},
])
apigw.create_domain_name(domainName="legacy.example.com", certificateArn=f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/2",
                         endpointConfiguration={"types": ["EDGE"]}, securityPolicy="TLS_1_0")
apigw.create_base_path_mapping(domainName="legacy.example.com", restApiId=bad, stage="dev")
manifest[r]["rest_bad"] = bad

# PRIVATE APIs: one without a policy, one limited to a VPC endpoint.
private_open, _ = rest_api("internal-no-policy", endpointConfiguration={"types": ["PRIVATE"]})
private_ok, _ = rest_api("internal-vpce", endpointConfiguration={"types": ["PRIVATE"]}, policy=json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}}]}))
manifest[r]["rest_private_open"] = private_open
manifest[r]["rest_private_ok"] = private_ok

# ---------------------------------------------------------------- eu-west-1: HTTP and WebSocket
r = "eu-west-1"
v2 = client("apigatewayv2", r)
SETTINGS = {"DetailedMetricsEnabled": True, "LoggingLevel": "INFO", "DataTraceEnabled": False,
            "ThrottlingBurstLimit": 50, "ThrottlingRateLimit": 100.0}

http_good = v2.create_api(Name="items-good", ProtocolType="HTTP", DisableExecuteApiEndpoint=True,
                          CorsConfiguration={"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]})["ApiId"]
jwt = v2.create_authorizer(ApiId=http_good, AuthorizerType="JWT", Name="jwt",
                           IdentitySource=["$request.header.Authorization"],
                           JwtConfiguration={"Audience": ["items-app"], "Issuer": "https://issuer.example.com"})["AuthorizerId"]
integ = v2.create_integration(ApiId=http_good, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
                              IntegrationUri=f"arn:aws:elasticloadbalancing:{r}:{ACCOUNT}:listener/app/items/1/2",
                              ConnectionType="VPC_LINK", ConnectionId="vpclink1", PayloadFormatVersion="1.0",
                              TlsConfig={"ServerNameToVerify": "items.internal.example.com"})["IntegrationId"]
v2.create_route(ApiId=http_good, RouteKey="GET /items", AuthorizationType="JWT", AuthorizerId=jwt,
                Target=f"integrations/{integ}")
v2.create_stage(ApiId=http_good, StageName="prod",
                AccessLogSettings={"DestinationArn": f"arn:aws:logs:{r}:{ACCOUNT}:log-group:http-access", "Format": LOG_FORMAT},
                DefaultRouteSettings={"DetailedMetricsEnabled": True, "ThrottlingBurstLimit": 50, "ThrottlingRateLimit": 100.0})
v2.create_domain_name(DomainName="items.example.com", DomainNameConfigurations=[
    {"CertificateArn": f"arn:aws:acm:{r}:{ACCOUNT}:certificate/3", "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}])
v2.create_api_mapping(DomainName="items.example.com", ApiId=http_good, Stage="prod")
manifest[r]["http_good"] = http_good

http_bad = v2.create_api(Name="items-bad", ProtocolType="HTTP",
                         CorsConfiguration={"AllowOrigins": ["*"], "AllowMethods": ["*"]})["ApiId"]
integ = v2.create_integration(ApiId=http_bad, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
                              IntegrationUri=f"arn:aws:elasticloadbalancing:{r}:{ACCOUNT}:listener/app/legacy/1/2",
                              ConnectionType="VPC_LINK", ConnectionId="vpclink2", PayloadFormatVersion="1.0")["IntegrationId"]
route_bad = v2.create_route(ApiId=http_bad, RouteKey="$default", AuthorizationType="NONE",
                            Target=f"integrations/{integ}")["RouteId"]
v2.create_stage(ApiId=http_bad, StageName="$default", StageVariables={"apiToken": "sk_live_0123456789abcdef"})
v2.create_domain_name(DomainName="old-items.example.com", DomainNameConfigurations=[
    {"CertificateArn": f"arn:aws:acm:{r}:{ACCOUNT}:certificate/4", "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_0"}])
v2.create_api_mapping(DomainName="old-items.example.com", ApiId=http_bad, Stage="$default")
manifest[r]["http_bad"] = http_bad
manifest[r]["http_bad_route"] = route_bad
manifest[r]["http_bad_integration"] = integ

ws_good = v2.create_api(Name="chat-good", ProtocolType="WEBSOCKET",
                        RouteSelectionExpression="$request.body.action")["ApiId"]
connect_good = v2.create_route(ApiId=ws_good, RouteKey="$connect", AuthorizationType="AWS_IAM")["RouteId"]
v2.create_stage(ApiId=ws_good, StageName="prod", ClientCertificateId="cert1",
                AccessLogSettings={"DestinationArn": f"arn:aws:logs:{r}:{ACCOUNT}:log-group:ws-access", "Format": LOG_FORMAT},
                DefaultRouteSettings=SETTINGS)
manifest[r]["ws_good"] = ws_good
manifest[r]["ws_good_connect"] = connect_good

ws_bad = v2.create_api(Name="chat-bad", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
connect_bad = v2.create_route(ApiId=ws_bad, RouteKey="$connect", AuthorizationType="NONE")["RouteId"]
v2.create_stage(ApiId=ws_bad, StageName="dev",
                DefaultRouteSettings={"LoggingLevel": "OFF", "DataTraceEnabled": True})
manifest[r]["ws_bad"] = ws_bad
manifest[r]["ws_bad_connect"] = connect_bad

print(json.dumps(manifest))
