"""DynamoDB request units and written partitions of one API call, from the items moto holds.

On-demand billing: a write is one WRU per started KB of the larger of the item before and after
(two for a transaction), plus the same for each global secondary index whose key the item carries;
a read is one RRU per started 4 KB, half for an eventually consistent read, two for a
transactional one, and at least that for an item that is not there. Item sizes follow DynamoDB's
rule (attribute names plus values) as moto computes them. The images before a write are read
from moto's backend (no AWS call, so nothing counted); when that fails the call is assumed to be
one unit and marked `estimated`.
"""

import math
from dataclasses import dataclass, field
from typing import Any

from local.template import ACCOUNT_ID, REGION

WRITE_UNIT = 1024
READ_UNIT = 4096


@dataclass
class Usage:
    read_units: float = 0.0
    write_units: float = 0.0
    partition_writes: list[tuple[str, str, float]] = field(default_factory=list)
    estimated: bool = False


def _table(name: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT_ID][REGION].get_table(name)


def _stored(table_name: str, key: dict[str, Any]) -> Any:
    """The item moto holds under a key (moto's Item), or None."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    table = _table(table_name)
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return table.get_item(hash_key, range_key)


def _key_of(table_name: str, item: dict[str, Any]) -> dict[str, Any]:
    table = _table(table_name)
    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    return {name: item[name] for name in names}


def _writes(operation: str, params: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], float]]:
    """(table, kind, key or item, multiplier) for every item a write request touches."""
    if operation == "PutItem":
        return [(params["TableName"], "Put", params["Item"], 1.0)]
    if operation in ("UpdateItem", "DeleteItem"):
        return [(params["TableName"], operation[:-4], params["Key"], 1.0)]
    if operation == "BatchWriteItem":
        found = []
        for table, requests in params.get("RequestItems", {}).items():
            for request in requests:
                if "PutRequest" in request:
                    found.append((table, "Put", request["PutRequest"]["Item"], 1.0))
                else:
                    found.append((table, "Delete", request["DeleteRequest"]["Key"], 1.0))
        return found
    if operation == "TransactWriteItems":
        found = []
        for entry in params.get("TransactItems", []):
            ((kind, request),) = entry.items()
            found.append((request["TableName"], kind, request.get("Item") or request["Key"], 2.0))
        return found
    return []


def before_images(operation: str, params: dict[str, Any]) -> dict[int, Any]:
    """What each item a write touches looked like before it (by position), read from moto."""
    images: dict[int, Any] = {}
    for position, (table, kind, key_or_item, _) in enumerate(_writes(operation, params)):
        try:
            key = _key_of(table, key_or_item) if kind == "Put" else key_or_item
            stored = _stored(table, key)
            images[position] = stored.to_json()["Attributes"] if stored else None
        except Exception:
            images[position] = "unknown"
    return images


def item_size(attributes: dict[str, Any] | None) -> int:
    """DynamoDB's size of an item in wire format (attribute names plus values)."""
    if not attributes:
        return 0
    from moto.dynamodb.models.dynamo_type import DynamoType

    return sum(len(name.encode()) + DynamoType(value).size() for name, value in attributes.items())


def _units(size: int, unit: int) -> int:
    return max(1, math.ceil(size / unit))


def _index_writes(table_name: str, before: Any, after: Any, multiplier: float) -> list[tuple[str, str, float]]:
    """One write per global secondary index whose key the item carries, before or after."""
    found = []
    for index in _table(table_name).global_indexes:
        hash_name = next(key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH")
        names = [key["AttributeName"] for key in index.schema]
        old = before.get(hash_name) if before else None
        new = after.get(hash_name) if after else None
        if old is None and new is None:
            continue
        changed = before and after and any(before.get(name) != after.get(name) for name in names)
        image = after or before
        units = _units(item_size(image), WRITE_UNIT) * multiplier
        for value in [new, old] if changed and old and new else [new or old]:
            found.append((f"{table_name}/{index.name}", _plain(value), units))
    return found


def _plain(value: dict[str, Any]) -> str:
    ((_, inner),) = value.items()
    return str(inner)


def _write_usage(operation: str, params: dict[str, Any], images: dict[int, Any]) -> Usage:
    usage = Usage()
    for position, (table, kind, key_or_item, multiplier) in enumerate(_writes(operation, params)):
        before = images.get(position)
        try:
            if before == "unknown":
                raise LookupError(table)
            key = _key_of(table, key_or_item) if kind == "Put" else key_or_item
            if kind == "Put":
                after = key_or_item
            elif kind == "Update":
                stored = _stored(table, key)
                after = stored.to_json()["Attributes"] if stored else None
            elif kind == "Delete":
                after = None
            else:  # a ConditionCheck reads the item; DynamoDB bills it as a write of its size
                after = before
            units = _units(max(item_size(before), item_size(after)), WRITE_UNIT) * multiplier
            hash_name = _table(table).hash_key_attr
            usage.partition_writes.append((table, _plain(key[hash_name]), units))
            if kind != "ConditionCheck":
                usage.partition_writes.extend(_index_writes(table, before, after, multiplier))
        except Exception:
            units, usage.estimated = multiplier, True
        usage.write_units += units
    usage.write_units += sum(units for name, _, units in usage.partition_writes if "/" in name)
    return usage


def _read_usage(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> Usage:
    usage = Usage()
    if operation == "GetItem":
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        usage.read_units = _units(item_size(parsed.get("Item")), READ_UNIT) * factor
    elif operation == "BatchGetItem":
        for table, request in params.get("RequestItems", {}).items():
            factor = 1.0 if request.get("ConsistentRead") else 0.5
            returned = parsed.get("Responses", {}).get(table, [])
            missing = max(0, len(request.get("Keys", [])) - len(returned))
            usage.read_units += sum(_units(item_size(item), READ_UNIT) * factor for item in returned)
            usage.read_units += missing * factor
    elif operation in ("Query", "Scan"):
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        total = sum(item_size(item) for item in parsed.get("Items", []))
        usage.read_units = _units(total, READ_UNIT) * factor
    elif operation == "TransactGetItems":
        usage.read_units = sum(
            _units(item_size(response.get("Item")), READ_UNIT) * 2.0 for response in parsed.get("Responses", [])
        ) or 2.0 * len(params.get("TransactItems", []))
    return usage


def usage(operation: str, params: dict[str, Any], parsed: dict[str, Any], images: dict[int, Any]) -> Usage:
    """The request units one DynamoDB call consumed, and the partitions it wrote."""
    if operation in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"):
        return _write_usage(operation, params, images)
    return _read_usage(operation, params, parsed)
