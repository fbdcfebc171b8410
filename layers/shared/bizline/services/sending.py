"""Sending an accepted reply: paced per phone number, claimed so it goes out once, retried while Meta is busy."""

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bizline.adapters import customers_store, messages_store, queues, send_rate_store, waba_tokens
from bizline.adapters.providers import get_provider
from bizline.clock import utc_now
from bizline.models.stored_messages import StoredMessage
from bizline.models.tasks import SendTask
from bizline.rules import send_pacing
from bizline.rules.message_status import FAILED, awaits_sending
from bizline.rules.providers import ProviderError, Recipient, with_callback_data
from bizline.services.deliveries import create_deliveries
from bizline.services.phone_numbers import proven_number
from bizline.services.statuses import status_delivery
from bizline.settings import get_settings

SEND_CLAIM_TIMEOUT = timedelta(minutes=2)
BUCKET_WRITE_ATTEMPTS = 5


def queue_send(task: SendTask, delay_seconds: float = 0) -> None:
    """Put a send task on the send queue; a delay is rounded up to whole seconds (at least one)."""
    delay = max(1, math.ceil(delay_seconds)) if delay_seconds > 0 else 0
    queues.send_tasks(get_settings().send_queue_url, [task], delay)


def take_send_token(phone_number_id: str, now: datetime) -> float:
    """Take one token from the number's bucket: 0 when granted, else the seconds to wait."""
    rate = get_settings().sends_per_second_per_number
    for _ in range(BUCKET_WRITE_ATTEMPTS):
        bucket = send_rate_store.get_send_bucket(phone_number_id)
        pacing = send_pacing.take_token(bucket, now.timestamp(), rate, burst=rate)
        if pacing.bucket is None or send_rate_store.replace_send_bucket(phone_number_id, pacing.bucket):
            return pacing.wait_seconds
    return send_pacing.contended_wait(rate)


# Told of a send that failed for good: the message, and the errors it failed with.
FailureHook = Callable[[StoredMessage, list[dict[str, Any]]], None]


def take_send_tokens(phone_number_id: str, now: datetime, wanted: int) -> tuple[int, float]:
    """Take up to `wanted` tokens of the number's bucket in one write: how many were granted, else the wait."""
    rate = get_settings().sends_per_second_per_number
    for _ in range(BUCKET_WRITE_ATTEMPTS):
        bucket = send_rate_store.get_send_bucket(phone_number_id)
        granted, pacing = send_pacing.take_tokens(bucket, now.timestamp(), rate, rate, wanted)
        if pacing.bucket is None:
            return 0, pacing.wait_seconds
        if send_rate_store.replace_send_bucket(phone_number_id, pacing.bucket):
            return granted, 0.0
    return 0, send_pacing.contended_wait(rate)


def send_queued(task: SendTask, now: datetime | None = None, on_failed: FailureHook | None = None) -> str:
    """Send one accepted reply. Returns what happened, for the log."""
    now = now or utc_now()
    message = messages_store.get_message(task.business_id, task.message_id)
    if message is None or not awaits_sending(message.status):
        return "already sent"
    wait = take_send_token(message.phone_number_id, now)
    if wait > 0:
        queue_send(task, wait)
        return f"paced: {wait:.2f} s"
    if not messages_store.claim_for_sending(task.business_id, task.message_id, now, SEND_CLAIM_TIMEOUT):
        return "another sender has it"
    customer = customers_store.get_customer(task.business_id, message.customer_id)
    recipient = Recipient(customer.wa_id if customer else None, customer.user_id if customer else None)
    try:
        token = access_token(task.business_id, message.phone_number_id)
        content = with_callback_data(message.content, message.message_id)
        wamid = get_provider().send(message.phone_number_id, recipient, content, token)
    except ProviderError as error:
        return send_failed(task, message, error, now, on_failed)
    messages_store.mark_submitted(task.business_id, task.message_id, wamid, now)
    return f"submitted as {wamid}"


def access_token(business_id: str, phone_number_id: str) -> str:
    """The token of the account the business proved the number through; final failure when it no longer has it."""
    number = proven_number(phone_number_id)
    token = None
    if number is not None and number.business_id == business_id and number.waba_id:
        token = waba_tokens.access_token(waba_tokens.secret_name(business_id, number.waba_id))
    if token is None:
        raise ProviderError("The phone number is no longer connected to this business.", retryable=False)
    return token


def send_failed(
    task: SendTask, message: StoredMessage, error: ProviderError, now: datetime, on_failed: FailureHook | None = None
) -> str:
    """Retry a send Meta refused for now (later, by the queue); record one it refused for good, and call back."""
    attempt = task.attempt + 1
    if send_pacing.may_retry(error.retryable, attempt):
        messages_store.release_claim(message.business_id, message.message_id)
        queue_send(task.model_copy(update={"attempt": attempt}), send_pacing.retry_delay_seconds(attempt))
        return f"provider busy ({error.code}); retry {attempt}"
    errors = [{"code": error.code, "title": error.message, **error.details}]
    if messages_store.apply_status(message.business_id, message.message_id, FAILED, now, errors) and on_failed:
        on_failed(message, errors)
    create_deliveries([status_delivery(message, FAILED, now, errors)])
    return f"failed: {error}"
