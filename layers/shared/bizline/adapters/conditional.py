"""The one way stores make conditional writes and read why a transaction was refused.

DynamoDB names a failed condition `ConditionalCheckFailedException` on single-item writes and
`ConditionalCheckFailed` in a transaction's cancellation reasons; both are handled here only.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

SINGLE_WRITE_CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CONDITION_FAILED = "ConditionalCheckFailed"


def save_if(record: Model, condition: Condition | None) -> bool:
    """Put `record` when `condition` holds; False when it does not."""
    try:
        record.save(condition=condition)
    except PutError as error:
        if error.cause_response_code == SINGLE_WRITE_CONDITION_FAILED:
            return False
        raise
    return True


def update_if(record: Model, actions: list[Any], condition: Condition | None) -> bool:
    """Apply `actions` to `record` when `condition` holds; False when it does not."""
    try:
        record.update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == SINGLE_WRITE_CONDITION_FAILED:
            return False
        raise
    return True


def delete_if(record: Model, condition: Condition | None) -> bool:
    """Delete `record` when `condition` holds; False when it does not."""
    try:
        record.delete(condition=condition)
    except DeleteError as error:
        if error.cause_response_code == SINGLE_WRITE_CONDITION_FAILED:
            return False
        raise
    return True


@cache
def _connection() -> Connection:
    # A transaction may span tables: a plain connection in the session's region, tied to none of them.
    return Connection()


def shared_connection() -> Connection:
    """The connection for requests that span tables (transactions, batch reads)."""
    return _connection()


def reset_connection() -> None:
    """Forget the transactions' connection (tests and the local platform switch endpoints)."""
    _connection.cache_clear()


def transact(write: Callable[[TransactWrite], None]) -> list[int]:
    """Run one transaction; the positions of the operations whose condition failed ([] when it committed)."""
    try:
        with TransactWrite(connection=_connection()) as transaction:
            write(transaction)
    except TransactWriteError as error:
        reasons = [reason.code if reason else None for reason in error.cancellation_reasons or []]
        refused = [index for index, code in enumerate(reasons) if code == TRANSACTION_CONDITION_FAILED]
        if refused:
            return refused
        raise
    return []
