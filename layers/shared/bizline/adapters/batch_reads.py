"""Items of several tables read in one request (BatchGetItem), strongly consistent.

PynamoDB's `batch_get` reads one table per request; a consumer that needs, say, a batch's
deliveries and their businesses reads them here in one.
"""

import time
from collections.abc import Sequence

from pynamodb.models import Model

from bizline.adapters.conditional import shared_connection

# BatchGetItem reads at most 100 keys; what DynamoDB leaves unprocessed is asked for again.
MOST_KEYS = 100
_UNPROCESSED_PAUSES = (0.05, 0.1, 0.2, 0.4, 0.8)


def _key_of(item: Model) -> dict[str, dict[str, str]]:
    model = type(item)
    serialized = item.serialize(null_check=False)
    names = [name for name in (model._hash_keyname, model._range_keyname) if name]
    return {name: serialized[name] for name in names}


def get_items(keys: Sequence[Model]) -> list[Model]:
    """The stored items whose keys `keys` (records holding only their key) name, of any tables.

    Missing items are left out; a key given twice is read once.
    """
    models: dict[str, type[Model]] = {}
    request: dict[str, dict[str, object]] = {}
    for item in keys:
        table = type(item).Meta.table_name
        models[table] = type(item)
        wanted = request.setdefault(table, {"Keys": [], "ConsistentRead": True})
        key = _key_of(item)
        if key not in wanted["Keys"]:
            wanted["Keys"].append(key)
    if sum(len(wanted["Keys"]) for wanted in request.values()) > MOST_KEYS:
        raise ValueError(f"at most {MOST_KEYS} keys in one batch read")
    found: list[Model] = []
    for pause in (*_UNPROCESSED_PAUSES, None):
        answer = shared_connection().dispatch("BatchGetItem", {"RequestItems": request})
        for table, items in answer.get("Responses", {}).items():
            found += [models[table].from_raw_data(raw) for raw in items]
        request = answer.get("UnprocessedKeys") or {}
        if not request:
            return found
        if pause is None:
            raise TimeoutError("DynamoDB left keys of a batch read unprocessed on every try")
        time.sleep(pause)
    return found
