"""One Logger and one Metrics for every function; service and namespace come from POWERTOOLS_* env.

No Tracer: X-Ray is off in template.yaml. Creating one imports and patches the X-Ray SDK (about
a quarter of a second of cold start, and a dependency the layer does not ship) for traces no
one reads; logs and metrics carry what operators use.
"""

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()


def mask_phone(number: str | None) -> str:
    """Keep a phone number recognisable to an operator without logging it: +4366*****89."""
    if not number:
        return ""
    if len(number) <= 6:
        return "*" * len(number)
    return number[:5] + "*" * (len(number) - 7) + number[-2:]
