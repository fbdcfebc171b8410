"""A business's subscribers: customers who agreed to its newsletters, with the proof, and who may leave any time.

Subscribing names the customer by wa_id or user_id (the customer is created when bizline does not
know them yet) and carries the consent proof: where, when and the exact words. Every status change
is kept in the subscriber's history (proof of consent and of opt-out); DELETE is an opt-out, never
an erasure of that proof.
"""

import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from bizline.adapters import customers_store, subscribers_store
from bizline.adapters.cursors import decode_cursor, encode_cursor, owned_by
from bizline.clock import utc_now
from bizline.errors import NotFound
from bizline.models.customers import CustomerIdentity
from bizline.models.subscribers import (
    SUBSCRIBED,
    UNSUBSCRIBED,
    BatchItemResult,
    StatusChange,
    StatusChangeView,
    StoredSubscriber,
    SubscribeBatchRequest,
    SubscribeBatchResult,
    Subscriber,
    SubscribeRequest,
    SubscriberList,
    UpdateSubscriberRequest,
)

_LISTING = "subscribers"
_BATCH_WORKERS = 8
API_SOURCE = "api"


def view(subscriber: StoredSubscriber, with_history: bool = False) -> Subscriber:
    """A subscriber as the API shows it."""

    def change(entry: StatusChange) -> StatusChangeView:
        return StatusChangeView(status=entry.status, at=entry.at, source=entry.source, text=entry.text)

    return Subscriber(
        customer_id=subscriber.customer_id,
        wa_id=subscriber.wa_id,
        user_id=subscriber.user_id,
        status=subscriber.status,
        tags=subscriber.tags,
        attributes=subscriber.attributes,
        consent=change(subscriber.consent),
        created_at=subscriber.created_at,
        updated_at=subscriber.updated_at,
        history=[change(entry) for entry in subscriber.history] if with_history else None,
    )


def subscribe(business_id: str, request: SubscribeRequest, now: datetime | None = None) -> tuple[Subscriber, bool]:
    """Subscribe a customer with its consent; an unsubscribed one opts in again. The second value: newly created."""
    now = now or utc_now()
    identity = CustomerIdentity(request.wa_id, request.user_id)
    customer_id = customers_store.resolve_customer(business_id, identity, now)
    # Kept in UTC: history entries sort by their time.
    consent = StatusChange(SUBSCRIBED, request.consent.at.astimezone(UTC), request.consent.source, request.consent.text)
    ref = secrets.token_hex(6)
    subscriber = StoredSubscriber(
        business_id=business_id,
        customer_id=customer_id,
        wa_id=request.wa_id,
        user_id=request.user_id,
        status=SUBSCRIBED,
        tags=sorted(set(request.tags)),
        attributes=dict(request.attributes),
        consent=consent,
        created_at=now,
        updated_at=now,
    )
    created = subscribers_store.add_subscriber(subscriber, ref)
    if created:
        return view(subscriber), True
    subscribers_store.change_status(business_id, customer_id, consent, ref)
    if request.tags or request.attributes:
        current = _stored(business_id, customer_id)
        tags = sorted(set(current.tags) | set(request.tags))
        subscribers_store.update_profile(
            business_id, customer_id, tags, {**current.attributes, **request.attributes}, now
        )
    return view(_stored(business_id, customer_id)), False


def subscribe_batch(
    business_id: str, request: SubscribeBatchRequest, now: datetime | None = None
) -> SubscribeBatchResult:
    """Up to 1,000 subscriptions, each on its own: one item's mistake is its own 422, the others go on.

    Items are written a few at a time side by side, so a thousand fit well within the function's time.
    """
    now = now or utc_now()
    shared = request.consent.model_dump(mode="json") if request.consent else None

    def one(index: int, item: dict[str, Any]) -> BatchItemResult:
        try:
            parsed = SubscribeRequest.model_validate({"consent": shared, **item} if shared else item)
        except ValidationError as error:
            details = [
                {"field": ".".join(str(part) for part in problem["loc"]) or None, "message": problem["msg"]}
                for problem in error.errors(include_url=False)
            ]
            problem = {"code": "validation_failed", "message": "The item is not valid.", "details": details}
            return BatchItemResult(index=index, status=422, error=problem)
        subscriber, created = subscribe(business_id, parsed, now)
        return BatchItemResult(index=index, status=201 if created else 200, subscriber=subscriber)

    with ThreadPoolExecutor(max_workers=_BATCH_WORKERS) as pool:
        results = list(pool.map(one, range(len(request.items)), request.items))
    return SubscribeBatchResult(items=results)


def _stored(business_id: str, customer_id: str, with_history: bool = False) -> StoredSubscriber:
    subscriber = subscribers_store.get_subscriber(business_id, customer_id, with_history)
    if subscriber is None:
        raise NotFound("No such subscriber.")
    return subscriber


def get_subscriber(business_id: str, customer_id: str) -> Subscriber:
    """One subscriber with its whole history; 404 for another business's."""
    return view(_stored(business_id, customer_id, with_history=True), with_history=True)


def list_subscribers(
    business_id: str, status: str | None, tag: str | None, limit: int, cursor: str | None
) -> SubscriberList:
    """A page of subscribers, filtered by status and tag; the cursor is signed for this business's listing."""
    scope = f"{_LISTING}#{business_id}#{status or ''}#{tag or ''}"
    start = decode_cursor(cursor, owned_by(business_id), scope)
    items, last_key = subscribers_store.list_subscribers(business_id, status, tag, limit, start)
    return SubscriberList(items=[view(item) for item in items], next_cursor=encode_cursor(last_key, scope))


def update_subscriber(
    business_id: str, customer_id: str, request: UpdateSubscriberRequest, now: datetime | None = None
) -> Subscriber:
    """Replace tags and/or attributes (the variables newsletters fill in); 404 for another business's."""
    if request.tags is not None or request.attributes is not None:
        tags = sorted(set(request.tags)) if request.tags is not None else None
        if not subscribers_store.update_profile(business_id, customer_id, tags, request.attributes, now or utc_now()):
            raise NotFound("No such subscriber.")
    return view(_stored(business_id, customer_id))


def unsubscribe(business_id: str, customer_id: str, now: datetime | None = None) -> Subscriber:
    """Opt the subscriber out (kept, with the opt-out in its history); 404 for another business's."""
    _stored(business_id, customer_id)
    change = StatusChange(UNSUBSCRIBED, now or utc_now(), API_SOURCE, "DELETE /v1/subscribers")
    subscribers_store.change_status(business_id, customer_id, change, secrets.token_hex(6))
    return view(_stored(business_id, customer_id, with_history=True), with_history=True)


def set_consent(
    business_id: str, customer_id: str, status: str, at: datetime, source: str, text: str, ref: Any
) -> bool:
    """Opt a known subscriber out or back in because of what the customer did; False when nothing changed."""
    return subscribers_store.change_status(business_id, customer_id, StatusChange(status, at, source, text), str(ref))


def is_subscriber(business_id: str, customer_id: str) -> bool:
    """Whether the customer ever subscribed to the business's newsletters (whatever their status now)."""
    return subscribers_store.get_subscriber(business_id, customer_id) is not None
