#!/bin/sh
# LocalStack "ready" hook: the bucket, and the queue with its dead-letter queue.
set -e
awslocal s3 mb s3://registry
awslocal sqs create-queue --queue-name registry-updates-dlq
awslocal sqs create-queue --queue-name registry-updates --attributes '{
  "VisibilityTimeout": "60",
  "RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:registry-updates-dlq\",\"maxReceiveCount\":\"5\"}"
}'
