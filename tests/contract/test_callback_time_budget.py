"""The callback delivery's time budget adds up: every attempt of a batch fits the function's Timeout.

Read from the template and the settings, so changing the BatchSize, the Timeout, the per-attempt
deadline or the worker count cannot silently make a batch outlive its function (the whole batch
would then be retried, re-sending callbacks that had already been delivered).
"""

import math

from bizline.adapters import deliveries_store
from bizline.settings import Settings, environment_variable
from callback_delivery import handler

from local.template import declared_environment, load_template

TEMPLATE = load_template()
FUNCTION = "CallbackDeliveryFunction"
# Besides the HTTP request, an attempt resolves the host and reads and writes DynamoDB and SQS.
STORE_AND_QUEUE_SECONDS = 15


def _function() -> dict:
    return TEMPLATE["Resources"][FUNCTION]["Properties"]


def _timeout() -> int:
    return _function().get("Timeout", TEMPLATE["Globals"]["Function"]["Timeout"])


def _queue_source() -> dict:
    (source,) = [event["Properties"] for event in _function()["Events"].values() if event["Type"] == "SQS"]
    return source


def _callback_timeout_seconds() -> float:
    variable = environment_variable("callback_timeout_seconds")
    declared = declared_environment(TEMPLATE, FUNCTION)
    if variable in declared:
        return float(declared[variable])
    return float(Settings.model_fields["callback_timeout_seconds"].default)


def test_every_attempt_of_a_batch_fits_the_functions_timeout():
    # Given the batch size, the worker count and the per-attempt deadline
    batch_size = _queue_source()["BatchSize"]
    rounds = math.ceil(batch_size / handler.DELIVERY_WORKERS)
    # Then a batch of attempts that all run into the deadline still ends before the function's Timeout
    assert rounds * (_callback_timeout_seconds() + STORE_AND_QUEUE_SECONDS) <= _timeout(), (
        batch_size,
        handler.DELIVERY_WORKERS,
        _callback_timeout_seconds(),
        _timeout(),
    )


def test_the_retries_of_an_outcome_write_fit_the_store_and_queue_allowance():
    # An outcome write DynamoDB fails is tried again after pauses; those pauses are part of an attempt's time
    assert deliveries_store.OUTCOME_RETRY_SECONDS < STORE_AND_QUEUE_SECONDS / 2


def test_no_attempt_waits_for_another_businesss_attempt():
    # Every record of a batch gets its own worker: a slow endpoint holds its own attempt only
    assert _queue_source()["BatchSize"] <= handler.DELIVERY_WORKERS
    assert handler.processor.__class__.__name__ == "AsyncBatchProcessor"


def test_a_message_stays_invisible_while_its_batch_runs():
    # SQS must not hand a task to a second poller while the first function still works on it
    queue = _queue_source()["Queue"]["Fn::GetAtt"][0]
    assert TEMPLATE["Resources"][queue]["Properties"]["VisibilityTimeout"] >= _timeout()
