"""The ingest consumer: Meta's envelopes from the ingest queue, acted on per batch.

`IngestBatch.open` reads every envelope of a batch and, in one BatchGet each, the phone numbers
they name and the names of the customers they mention. Each envelope is then handled on its own
(`handle`; one that fails is retried alone): messages are stored under their wamid with one
conditional put each, so a repeated envelope, in this batch or any other, stores one message and
makes one callback; a number change first, so a message from the new number finds the customer
who moved; messages before edits and revocations, so a revision finds an original of the same
batch; then other changes, and items nobody can read, kept whole with the reason. What needs no
condition is gathered and written once for the batch (`finish`): unrouted items in batched
writes, each customer's record once, then STOP / START keywords of the newly stored messages
(`apply_consent_keywords` needs the customer's record, and its confirmation their open window),
callbacks through `create_deliveries` (ten a send), statuses to the status queue (a status can
overtake the send that produced it).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import ValidationError

from bizline.adapters import messages_store, phone_numbers_store, queues, unrouted_webhooks_store
from bizline.adapters.unrouted_webhooks_store import Unrouted
from bizline.clock import to_iso, utc_now
from bizline.models.stored_messages import StoredMessage
from bizline.models.tasks import StatusTask
from bizline.models.whatsapp import WebhookEnvelope
from bizline.observability import logger
from bizline.rules.envelope import (
    CustomerMessage,
    EnvelopeReading,
    FieldChange,
    StatusUpdate,
    Unreadable,
    content_digest,
    read_envelope,
)
from bizline.rules.message_preview import preview
from bizline.services.consent import apply_consent_keywords
from bizline.services.consent_keywords import business_keywords
from bizline.services.customer_messages import inbound_message, received_delivery
from bizline.services.deliveries import NewDelivery, create_deliveries
from bizline.services.ingest_customers import CustomerBook
from bizline.services.message_revisions import apply_number_change, apply_revision
from bizline.services.whatsapp_changes import WABA_KEY_PREFIX, keep_unreadable, owners_of_change, record_change
from bizline.settings import get_settings

UNREADABLE_ENVELOPES = "ingest"  # the owner key of envelopes the consumer could not read at all


class CustomersNotWritten(RuntimeError):
    """The envelope needs the batch's customer records, and they could not be written yet: retry it."""


@dataclass(frozen=True)
class UnreadableEnvelope:
    """A queued body that is no envelope at all (a hand-made or redriven message): kept whole for operators."""

    reason: str
    body: str


def read_body(body: str, now: datetime) -> EnvelopeReading | UnreadableEnvelope:
    """What one queued envelope says."""
    try:
        envelope = WebhookEnvelope.model_validate(json.loads(body))
    except (ValueError, ValidationError) as error:
        return UnreadableEnvelope(f"not a WhatsApp webhook envelope: {str(error)[:300]}", body)
    return read_envelope(envelope.entry, now)


def _numbers_of(reading: EnvelopeReading) -> set[str]:
    items = [*reading.messages, *reading.revisions, *reading.number_changes, *reading.statuses]
    numbers = {item.phone_number_id for item in items}
    numbers |= {item.phone_number_id for item in reading.unreadable if item.phone_number_id}
    numbers |= {change.phone_number_id for change in reading.changes if change.phone_number_id}
    return numbers


def _names_of(reading: EnvelopeReading) -> set[tuple[str, str]]:
    """(phone number id, customer name) of every customer a message or revision names."""
    identities = [*reading.messages, *reading.revisions]
    return {(item.phone_number_id, key) for item in identities for key in item.customer.keys}


@dataclass
class IngestBatch:
    """One batch of envelopes: what was read for all of them, and what is written once for all."""

    now: datetime
    readings: dict[str, EnvelopeReading | UnreadableEnvelope]
    owners: dict[str, str]
    customers: CustomerBook
    redelivered: set[str] = field(default_factory=set)  # records SQS has handed over before
    # What the envelopes handled so far leave to the batch, each with the record it came from.
    deliveries: list[tuple[str, NewDelivery]] = field(default_factory=list)
    statuses: list[tuple[str, StatusTask]] = field(default_factory=list)
    unrouted: list[tuple[str, Unrouted]] = field(default_factory=list)
    keywords: list[tuple[str, StoredMessage]] = field(default_factory=list)  # messages that may be STOP / START

    @classmethod
    def open(
        cls, bodies: dict[str, str], redelivered: set[str] | None = None, now: datetime | None = None
    ) -> "IngestBatch":
        """Read each envelope (by record id) and, together, the numbers and customers they name."""
        now = now or utc_now()
        readings = {record_id: read_body(body, now) for record_id, body in bodies.items()}
        read = [reading for reading in readings.values() if isinstance(reading, EnvelopeReading)]
        numbers = set().union(*(_numbers_of(reading) for reading in read))
        owners = {
            number_id: number.business_id
            for number_id, number in phone_numbers_store.get_phone_numbers(numbers).items()
            if number.waba_id  # a number registered before accounts were connected routes nowhere
        }
        mentioned = {
            (owners[number_id], key) for reading in read for number_id, key in _names_of(reading) if number_id in owners
        }
        return cls(
            now=now,
            readings=readings,
            owners=owners,
            customers=CustomerBook.read(mentioned),
            redelivered=redelivered or set(),
        )

    def handle(self, record_id: str) -> None:
        """Act on one envelope of the batch; what it leaves to the batch is kept only once it has all been done."""
        reading = self.readings[record_id]
        work = _Work(self, record_id)
        if isinstance(reading, UnreadableEnvelope):
            logger.warning("queued envelope could not be read", extra={"reason": reading.reason})
            key = f"unreadable#{content_digest(reading.body)}"
            work.unrouted.append(
                Unrouted(UNREADABLE_ENVELOPES, key, None, {"reason": reading.reason, "body": reading.body})
            )
        else:
            work.act(reading)
        self.deliveries += [(record_id, delivery) for delivery in work.deliveries]
        self.statuses += [(record_id, status) for status in work.statuses]
        self.unrouted += [(record_id, item) for item in work.unrouted]
        self.keywords += [(record_id, message) for message in work.keywords]

    def finish(self) -> set[str]:
        """Write what the batch gathered: unrouted items, customer records, callbacks, statuses.

        Returns the records whose share could not be written: SQS delivers just those again (every
        step is idempotent), so one failed write costs its own envelopes a retry, not the batch's.
        """
        failed = _attempt(_by_item(self.unrouted), lambda items: unrouted_webhooks_store.record_many(items, self.now))
        failed |= self.customers.write(self.now)
        failed |= self._apply_keywords(failed)
        # One delivery per event however many envelopes of the batch repeated it; ten a send. A
        # delivery a failed group stored but did not queue is queued only by a later try (once it
        # counts as abandoned), so a failed group fails its envelopes, and an envelope SQS delivers
        # again has its deliveries written alone: one failure then costs no other envelope a try.
        deliveries = _by_item(self.deliveries)
        fresh = [item for item in deliveries if not item[0] & self.redelivered]
        again = [item for item in deliveries if item[0] & self.redelivered]
        failed |= _attempt(fresh, lambda items: create_deliveries(items, self.now), one_by_one=False)
        failed |= _attempt(again, lambda items: create_deliveries(items, self.now), size=1)
        failed |= _attempt(
            _by_item(self.statuses), lambda tasks: queues.send_tasks(get_settings().status_queue_url, tasks)
        )
        return failed

    def _apply_keywords(self, failed: set[str]) -> set[str]:
        """STOP / START in the batch's new messages; the records whose keyword could not be acted on."""
        not_applied: set[str] = set()
        keywords_of = cache(business_keywords)  # a business's words read once for the batch, and only if needed
        for record_id, message in self.keywords:
            if record_id in failed:
                continue  # its customer's record is not written yet: acted on when SQS delivers it again
            try:
                apply_consent_keywords(message, keywords_of)
            except Exception:
                logger.exception("a consent keyword could not be acted on; its envelope is retried")
                not_applied.add(record_id)
        return not_applied


def _by_item(sourced: list[tuple[str, Any]]) -> list[tuple[set[str], Any]]:
    """Each distinct item once, with every record it came from."""
    merged: dict[tuple[str, ...], tuple[set[str], Any]] = {}
    for record_id, item in sourced:
        merged.setdefault(_identity(item), (set(), item))[0].add(record_id)
    return list(merged.values())


def _identity(item: NewDelivery | StatusTask | Unrouted) -> tuple[str, ...]:
    if isinstance(item, NewDelivery):
        return (item.business_id, item.event_type, item.subject)
    if isinstance(item, StatusTask):
        return (item.business_id, item.wamid, item.status)
    return (item.owner_key, item.event_key)


def _attempt(
    items: list[tuple[set[str], Any]],
    write: Callable[[list[Any]], None],
    size: int = queues.BATCH,
    one_by_one: bool = True,
) -> set[str]:
    """Write the items in groups of `size` (ten: one queue call each); the records of the items not written.

    A group whose write failed is written again item by item (`one_by_one`), so one failed item
    costs only its own envelopes a redelivery (each write is idempotent: what the group wrote stands).
    """
    failed: set[str] = set()
    for start in range(0, len(items), size):
        group = items[start : start + size]
        try:
            write([item for _, item in group])
            continue
        except Exception:
            logger.warning("a batched ingest write failed", exc_info=True)
        if not one_by_one or size == 1:
            failed |= set().union(*(records for records, _ in group))
            continue
        for records, item in group:
            try:
                write([item])
            except Exception:
                logger.exception("an ingest write failed; its envelopes are retried")
                failed |= records
    return failed


@dataclass
class _Work:
    batch: IngestBatch
    record_id: str
    deliveries: list[NewDelivery] = field(default_factory=list)
    statuses: list[StatusTask] = field(default_factory=list)
    unrouted: list[Unrouted] = field(default_factory=list)
    keywords: list[StoredMessage] = field(default_factory=list)

    def act(self, reading: EnvelopeReading) -> None:
        now = self.batch.now
        if (reading.number_changes or reading.revisions) and self.batch.customers.write(now):
            # They read customers: the batch's new ones must be there first.
            raise CustomersNotWritten("customer records of this batch could not be written")
        for change in reading.number_changes:
            business_id = self._owner(change.phone_number_id, f"message#{change.wamid}", change.raw)
            if business_id:
                self.batch.customers.forget_number(business_id, change.old_wa_id, change.new_wa_id)
                self._keep(apply_number_change(business_id, change, now)[0])
        for message in reading.messages:
            business_id = self._owner(message.phone_number_id, f"message#{message.wamid}", message.content)
            if business_id:
                self._message(business_id, message)
        for revision in reading.revisions:
            business_id = self._owner(revision.phone_number_id, f"message#{revision.wamid}", revision.raw)
            if business_id:
                self._keep(apply_revision(business_id, revision, now)[0])
        for change in reading.changes:
            self._change(change)
        for item in reading.unreadable:
            self._unreadable(item)
        for status in reading.statuses:
            key = f"status#{status.wamid}#{status.status}"
            business_id = self._owner(status.phone_number_id, key, _status(status))
            if business_id:
                self.statuses.append(StatusTask.model_validate({"business_id": business_id, **_status(status)}))

    def _owner(self, phone_number_id: str, event_key: str, payload: dict[str, Any]) -> str | None:
        """The business owning the number; None (and the item kept for operators) when nobody does."""
        business_id = self.batch.owners.get(phone_number_id)
        if business_id is None:
            logger.warning("webhook for a phone number no business owns", extra={"phone_number_id": phone_number_id})
            self.unrouted.append(Unrouted(phone_number_id, event_key, None, payload))
        return business_id

    def _keep(self, delivery: NewDelivery | None) -> None:
        if delivery is not None:
            self.deliveries.append(delivery)

    def _message(self, business_id: str, message: CustomerMessage) -> None:
        customers = self.batch.customers
        customer_id = customers.resolve(business_id, message.customer, self.batch.now, self.record_id)
        stored = inbound_message(business_id, customer_id, message, self.batch.now)
        if messages_store.put_message(stored):
            logger.info("customer message stored", extra={"business_id": business_id, "type": message.type})
        # A message stored already is acted on again too: an earlier try may have stored it and stopped
        # before acting on it, and a redriven envelope says nothing of its earlier tries (SQS counts its
        # receives from one again). Each consent write is conditional on the word's time: acting twice on
        # one word changes nothing and confirms nothing twice.
        self.keywords.append(stored)
        # A repeat still moves the conversation and ensures the callback: an earlier try may have
        # stored the message and stopped before either (both are idempotent).
        summary = preview(stored.type, stored.content)
        customers.saw_message(business_id, customer_id, stored.sent_at, stored.message_id, summary)
        self.deliveries.append(received_delivery(stored))

    def _change(self, change: FieldChange) -> None:
        if change.phone_number_id:
            owner = self.batch.owners.get(change.phone_number_id)
            owners = [owner] if owner else []
        else:
            owners = owners_of_change(change)
        if not owners:
            logger.warning("whatsapp change nobody owns", extra={"field": change.field, "waba_id": change.waba_id})
            owner_key = change.phone_number_id or f"{WABA_KEY_PREFIX}{change.waba_id}"
            payload = {"field": change.field, "value": change.value}
            self.unrouted.append(Unrouted(owner_key, f"change#{change.key}", change.display_phone_number, payload))
            return
        for business_id in owners:
            self.deliveries.append(record_change(business_id, change, self.batch.now)[0])

    def _unreadable(self, item: Unreadable) -> None:
        business_id = self.batch.owners.get(item.phone_number_id) if item.phone_number_id else None
        if business_id is not None:
            keep_unreadable(business_id, item, self.batch.now)
            return
        logger.warning("webhook item could not be read", extra={"reason": item.reason})
        owner_key = item.phone_number_id or f"{WABA_KEY_PREFIX}{item.waba_id}"
        self.unrouted.append(Unrouted(owner_key, item.key, None, {"reason": item.reason, "item": item.payload}))


def _status(status: StatusUpdate) -> dict[str, Any]:
    return {
        "phone_number_id": status.phone_number_id,
        "wamid": status.wamid,
        "status": status.status,
        "at": to_iso(status.at),
        "errors": status.errors,
        "recipient": {"wa_id": status.recipient.wa_id, "user_id": status.recipient.user_id},
        "pricing": status.pricing,
        "callback_data": status.callback_data,
    }
