"""The customers of one ingest batch: their names read together, each customer's summary written once.

The names (wa:..., user:...) of every customer a batch mentions are read in one BatchGet. A name
already pointing at its customer and kept long enough costs nothing more; a new customer costs
the conditional put that claims its first name (two first messages racing end as one customer).
Each customer's record (their names as Meta gives them, and the conversation moved forward to
their newest inbound message) is written once per batch, after the messages, with one
conditional update: applied again on a redelivered batch, it changes nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bizline.adapters import customers_store
from bizline.models.customers import WA_ID_PREFIX, CustomerIdentity
from bizline.observability import logger
from bizline.settings import get_settings

# A name whose expiry is this close to what a write now would give it is not written again.
NAME_REFRESH_SLACK = timedelta(days=1)


@dataclass
class _Summary:
    identity: CustomerIdentity
    latest: tuple[datetime, str, str] | None = None  # (at, message id, preview) of the newest inbound message
    records: set[str] = field(default_factory=set)  # the queue records that mentioned the customer


@dataclass
class CustomerBook:
    """What the batch knows of customers' names, and the customer records it still has to write."""

    names: dict[tuple[str, str], tuple[str, datetime | None]] = field(default_factory=dict)
    pending: dict[tuple[str, str], _Summary] = field(default_factory=dict)

    @classmethod
    def read(cls, mentioned: set[tuple[str, str]]) -> "CustomerBook":
        """The names of every (business id, customer name) the batch mentions, in one read."""
        return cls(names=customers_store.names_of(mentioned))

    def resolve(self, business_id: str, identity: CustomerIdentity, now: datetime, record_id: str) -> str:
        """The customer known by any of these names, created on first contact; every name then leads to it."""
        keys = identity.keys
        known = [self.names.get((business_id, key)) for key in keys]
        customer_id = next((name[0] for name in known if name), None)
        fresh = now + timedelta(days=get_settings().retention_days)
        if customer_id is None:
            customer_id, _ = customers_store.claim_new_customer(business_id, keys[0], now)
            self.names[(business_id, keys[0])] = (customer_id, fresh)
            known[0] = (customer_id, fresh)
        for key, name in zip(keys, known, strict=True):
            if name is None or name[0] != customer_id or _stale(name[1], fresh):
                if customers_store.keep_name(business_id, key, customer_id, now):
                    self.names[(business_id, key)] = (customer_id, fresh)
                else:
                    self.names.pop((business_id, key), None)  # another customer's: read it again if needed
        summary = self.pending.setdefault((business_id, customer_id), _Summary(identity))
        summary.identity = _merged(summary.identity, identity)
        summary.records.add(record_id)
        return customer_id

    def saw_message(self, business_id: str, customer_id: str, at: datetime, message_id: str, preview: str) -> None:
        """An inbound message of the customer: the newest of the batch moves their conversation."""
        summary = self.pending.get((business_id, customer_id))
        if summary is not None and (summary.latest is None or (at, message_id) > summary.latest[:2]):
            summary.latest = (at, message_id, preview)

    def forget_number(self, business_id: str, *wa_ids: str) -> None:
        """A customer changed number: what the batch read of these numbers may be wrong now."""
        for wa_id in wa_ids:
            self.names.pop((business_id, WA_ID_PREFIX + wa_id), None)

    def write(self, now: datetime) -> set[str]:
        """Write every customer record the batch touched; each is forgotten once written.

        Returns the records that mentioned a customer whose record could not be written (kept to try again).
        """
        failed: set[str] = set()
        for (business_id, customer_id), summary in list(self.pending.items()):
            latest = (summary.latest[0], summary.latest[2]) if summary.latest else None
            try:
                customers_store.record_inbound_summary(business_id, customer_id, summary.identity, latest, now)
            except Exception:
                logger.exception("a customer record of the batch could not be written; its envelopes are retried")
                failed |= summary.records
                continue
            del self.pending[(business_id, customer_id)]
        return failed


def _stale(expires_at: datetime | None, fresh: datetime) -> bool:
    return expires_at is None or expires_at < fresh - NAME_REFRESH_SLACK


def _merged(earlier: CustomerIdentity, later: CustomerIdentity) -> CustomerIdentity:
    """The later names, with what only the earlier message said kept."""
    return CustomerIdentity(
        wa_id=later.wa_id or earlier.wa_id,
        user_id=later.user_id or earlier.user_id,
        name=later.name or earlier.name,
        username=later.username or earlier.username,
    )
