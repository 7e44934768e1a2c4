"""Prices an order: reads the lines from an API Gateway event, returns the total.

Shows what Lambda's Python runtime does: module-level init once per environment (boto3
client, logger), Decimal amounts in the response, logging with Lambda's root handler, and
an exception turned into a function error.
"""
import json
import logging
import os
from decimal import Decimal

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)

# Created once per execution environment: warm invokes reuse it. Nothing is called on AWS.
dynamodb = boto3.resource("dynamodb", region_name=os.environ["AWS_REGION"])
table = dynamodb.Table(os.environ["TABLE_NAME"])
invocations = 0


def lambda_handler(event, context):
    global invocations
    invocations += 1
    order = json.loads(event.get("body") or "{}", parse_float=Decimal)
    lines = order.get("lines", [])
    if not lines:
        raise ValueError("order has no lines")
    total = sum(Decimal(str(line["price"])) * line["quantity"] for line in lines)
    logger.info("priced %d lines for %s: %s", len(lines), order.get("customer", "anonymous"), total)
    print(f"table {table.name}, invocation {invocations} of this environment")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"total": str(total), "remaining_ms": context.get_remaining_time_in_millis()}),
        "total": total,
    }
