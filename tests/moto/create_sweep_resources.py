"""Create what the SAM template gives the sweep function besides the table: the fan-out queue with
its dead-letter queue (redrive after 3 receives, as in infra/template.yaml) and the reports bucket.

Usage: create_sweep_resources.py ENDPOINT_URL  -> prints {"queue_url", "dlq_url", "reports_bucket"}
"""
import json
import sys

import boto3

ENDPOINT = sys.argv[1]


def client(service):
    return boto3.client(service, region_name="us-east-1", endpoint_url=ENDPOINT,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


sqs = client("sqs")
dlq = sqs.create_queue(QueueName="apispm-units-dlq")["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
queue = sqs.create_queue(QueueName="apispm-units", Attributes={
    "VisibilityTimeout": "5400",
    "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}),
})["QueueUrl"]
client("s3").create_bucket(Bucket="apispm-reports")
print(json.dumps({"queue_url": queue, "dlq_url": dlq, "reports_bucket": "apispm-reports"}))
