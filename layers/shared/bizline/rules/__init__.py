"""Pure rules: no boto3, no PynamoDB, no adapters. Unit tests need no AWS."""
