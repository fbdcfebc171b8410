"""Persistence of newsletters, their runs and stats, and each number's messaging limit and usage.

One table, the business's partition: `nl#<id>` the newsletter; `run#<id>#<run>` a run with its cursor
and page counters (advanced only from the page it read, so a repeated invocation cannot count twice);
`run#<id>#<run>#stat#<k>` eight shards of the counters Meta's statuses move (one update per status on
a spread of keys, never one hot counter); `run#<id>#<run>#reason#<code>` failures per Meta error;
`limit#<number>` the messaging limit; `usage#<number>#<hour>#<run>#<page>` the customers a page reached in
that hour (their ids, expiring).
"""

import json
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import delete_if, save_if, update_if
from bizline.adapters.tables import NewsletterRecord
from bizline.clock import from_iso, to_iso
from bizline.models.newsletters import SENDING, SKIPPED, RunCounts, StoredNewsletter, StoredRun

NEWSLETTER_PREFIX = "nl#"
STAT_SHARDS = 8
_SKIPPED = {
    "opted_out": NewsletterRecord.skipped_opted_out,
    "template_paused": NewsletterRecord.skipped_template_paused,
    "missing_variable": NewsletterRecord.skipped_missing_variable,
}
_STATUSES = {
    "sent": NewsletterRecord.sent,
    "delivered": NewsletterRecord.delivered,
    "read": NewsletterRecord.read,
    "failed": NewsletterRecord.failed,
}


def _run_key(newsletter_id: str, run_id: str) -> str:
    return f"run#{newsletter_id}#{run_id}"


def _from_record(record: NewsletterRecord) -> StoredNewsletter:
    return StoredNewsletter(
        business_id=record.business_id,
        newsletter_id=record.newsletter_key.removeprefix(NEWSLETTER_PREFIX),
        name=record.name or "",
        state=record.state or "",
        phone_number_id=record.phone_number_id or "",
        template_name=record.template_name or "",
        template_language=record.template_language or "",
        variables=json.loads(record.variables or "{}"),
        audience_tags=list(record.audience_tags or []),
        created_at=from_iso(record.created_at),
        updated_at=from_iso(record.updated_at),
        send_at=from_iso(record.send_at),
        cron=record.cron,
        timezone=record.timezone,
    )


def add_newsletter(newsletter: StoredNewsletter) -> None:
    """Keep a new newsletter (its id is new: a repeated write changes nothing)."""
    record = NewsletterRecord(
        business_id=newsletter.business_id,
        newsletter_key=NEWSLETTER_PREFIX + newsletter.newsletter_id,
        state=newsletter.state,
        name=newsletter.name,
        phone_number_id=newsletter.phone_number_id,
        template_name=newsletter.template_name,
        template_language=newsletter.template_language,
        variables=json.dumps(newsletter.variables, sort_keys=True),
        audience_tags=newsletter.audience_tags,
        send_at=to_iso(newsletter.send_at),
        cron=newsletter.cron,
        timezone=newsletter.timezone,
        created_at=to_iso(newsletter.created_at),
        updated_at=to_iso(newsletter.updated_at),
    )
    save_if(record, NewsletterRecord.newsletter_key.does_not_exist())


def get_newsletter(business_id: str, newsletter_id: str) -> StoredNewsletter | None:
    """One newsletter of one business; None when it has none of that id."""
    try:
        record = NewsletterRecord.get(business_id, NEWSLETTER_PREFIX + newsletter_id, consistent_read=True)
    except DoesNotExist:
        return None
    return _from_record(record)


def list_newsletters(
    business_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[StoredNewsletter], dict[str, Any] | None]:
    """One page of a business's newsletters (by id) and where the next starts."""
    query = NewsletterRecord.query(
        business_id,
        NewsletterRecord.newsletter_key.startswith(NEWSLETTER_PREFIX),
        limit=limit,
        last_evaluated_key=start_key,
    )
    return [_from_record(record) for record in query], query.last_evaluated_key


def set_timing(
    business_id: str,
    newsletter_id: str,
    state: str,
    send_at: datetime | None,
    cron: str | None,
    timezone: str | None,
    now: datetime,
    from_states: tuple[str, ...],
) -> bool:
    """Replace when the newsletter goes out (and its state), if it is in one of `from_states`; else False."""
    actions = [
        NewsletterRecord.state.set(state),
        NewsletterRecord.updated_at.set(to_iso(now)),
        NewsletterRecord.send_at.set(to_iso(send_at)) if send_at else NewsletterRecord.send_at.remove(),
        NewsletterRecord.cron.set(cron) if cron else NewsletterRecord.cron.remove(),
        NewsletterRecord.timezone.set(timezone) if timezone else NewsletterRecord.timezone.remove(),
    ]
    record = NewsletterRecord(business_id=business_id, newsletter_key=NEWSLETTER_PREFIX + newsletter_id)
    return update_if(record, actions, NewsletterRecord.state.is_in(*from_states))


def set_state(business_id: str, newsletter_id: str, state: str, now: datetime, from_states: tuple[str, ...]) -> bool:
    """Move the newsletter to `state` if it is in one of `from_states`; False otherwise."""
    record = NewsletterRecord(business_id=business_id, newsletter_key=NEWSLETTER_PREFIX + newsletter_id)
    actions = [NewsletterRecord.state.set(state), NewsletterRecord.updated_at.set(to_iso(now))]
    return update_if(record, actions, NewsletterRecord.state.is_in(*from_states))


def delete_newsletter(business_id: str, newsletter_id: str) -> bool:
    """Delete a newsletter that is not sending, then its runs and their counters; False when it is sending or gone.

    The newsletter goes first, under its condition: its runs are never deleted from under a run that sends.
    """
    record = NewsletterRecord(business_id=business_id, newsletter_key=NEWSLETTER_PREFIX + newsletter_id)
    if not delete_if(record, NewsletterRecord.newsletter_key.exists() & (NewsletterRecord.state != SENDING)):
        return False
    runs = NewsletterRecord.query(
        business_id,
        NewsletterRecord.newsletter_key.startswith(f"run#{newsletter_id}#"),
        attributes_to_get=["business_id", "newsletter_key"],
    )
    with NewsletterRecord.batch_write() as batch:  # 25 keys per call
        for run in runs:
            batch.delete(run)
    return True


def _open_run(business_id: str, newsletter_id: str, run_id: str, now: datetime, **fields: str) -> bool:
    """Write a run's first record at page 0, once: False when this run exists (a repeated firing)."""
    record = NewsletterRecord(
        business_id=business_id,
        newsletter_key=_run_key(newsletter_id, run_id),
        page=0,
        created_at=to_iso(now),
        audience=0,
        queued=0,
        **fields,
    )
    return save_if(record, NewsletterRecord.newsletter_key.does_not_exist())


def skip_run(business_id: str, newsletter_id: str, run_id: str, now: datetime, reason: str) -> bool:
    """Keep a firing that opened no run (and why), once; False when this run exists (a repeated firing)."""
    return _open_run(
        business_id, newsletter_id, run_id, now, state=SKIPPED, skip_reason=reason, finished_at=to_iso(now)
    )


# -- runs -----------------------------------------------------------------------------------------


def start_run(business_id: str, newsletter_id: str, run_id: str, now: datetime, lease_until: datetime) -> bool:
    """Open a run at page 0, leased to the invocation opening it; False when this run was opened before."""
    return _open_run(business_id, newsletter_id, run_id, now, state=SENDING, lease_until=to_iso(lease_until))


def take_run(
    business_id: str, newsletter_id: str, run_id: str, now: datetime, lease_until: datetime
) -> StoredRun | None:
    """Lease a sending run nobody holds (handed over, given back, or its holder gone); None when it is held or over."""
    record = NewsletterRecord(business_id=business_id, newsletter_key=_run_key(newsletter_id, run_id))
    free = NewsletterRecord.lease_until.does_not_exist() | (NewsletterRecord.lease_until < to_iso(now))
    taken = update_if(
        record,
        [NewsletterRecord.lease_until.set(to_iso(lease_until))],
        NewsletterRecord.newsletter_key.exists() & (NewsletterRecord.state == SENDING) & free,
    )
    return _run_from(record, newsletter_id, run_id) if taken else None


def release_run(business_id: str, newsletter_id: str, run_id: str) -> None:
    """Give a sending run's lease back, so the next invocation (a hand-over or a retry) may take it."""
    record = NewsletterRecord(business_id=business_id, newsletter_key=_run_key(newsletter_id, run_id))
    update_if(record, [NewsletterRecord.lease_until.remove()], NewsletterRecord.state == SENDING)


def get_run(business_id: str, newsletter_id: str, run_id: str) -> StoredRun | None:
    """One run with its cursor and page counters (not its status counters); None when it never started."""
    try:
        record = NewsletterRecord.get(business_id, _run_key(newsletter_id, run_id), consistent_read=True)
    except DoesNotExist:
        return None
    return _run_from(record, newsletter_id, run_id)


def _run_from(
    record: NewsletterRecord,
    newsletter_id: str,
    run_id: str,
    skipped_at_send: dict[str, int] | None = None,
    **extra: Any,
) -> StoredRun:
    at_send = skipped_at_send or {}
    skipped = {
        reason: int(getattr(record, attribute.attr_name) or 0) + at_send.get(reason, 0)
        for reason, attribute in _SKIPPED.items()
    }
    return StoredRun(
        business_id=record.business_id,
        newsletter_id=newsletter_id,
        run_id=run_id,
        state=record.state or SENDING,
        page=int(record.page or 0),
        cursor=json.loads(record.cursor) if record.cursor else None,
        started_at=from_iso(record.created_at),
        finished_at=from_iso(record.finished_at),
        skip_reason=record.skip_reason,
        waits_until=from_iso(record.waits_until),
        counts=RunCounts(int(record.audience or 0), int(record.queued or 0), skipped),
        **extra,
    )


def advance_run(
    business_id: str,
    newsletter_id: str,
    run_id: str,
    page: int,
    cursor: dict[str, Any] | None,
    counts: RunCounts,
    finished: tuple[str, datetime] | None = None,
    waits_until: datetime | None = None,
) -> bool:
    """Count page `page` and move the run past it (or finish it); False when the run is not at that page.

    The page number is the condition: a second invocation of the same page counts nothing. `waits_until`
    says the run waits for the number's messaging limit until then (cleared by the next page).
    """
    actions = [
        NewsletterRecord.page.set(page + 1),
        NewsletterRecord.audience.add(counts.audience),
        NewsletterRecord.queued.add(counts.queued),
        NewsletterRecord.cursor.set(json.dumps(cursor)) if cursor else NewsletterRecord.cursor.remove(),
        NewsletterRecord.waits_until.set(to_iso(waits_until)) if waits_until else NewsletterRecord.waits_until.remove(),
    ]
    actions += [_SKIPPED[reason].add(number) for reason, number in counts.skipped.items() if number]
    if finished is not None:
        state, at = finished
        actions += [NewsletterRecord.state.set(state), NewsletterRecord.finished_at.set(to_iso(at))]
    record = NewsletterRecord(business_id=business_id, newsletter_key=_run_key(newsletter_id, run_id))
    return update_if(record, actions, (NewsletterRecord.page == page) & (NewsletterRecord.state == SENDING))


def list_runs(business_id: str, newsletter_id: str) -> list[StoredRun]:
    """Every run of a newsletter, newest first, with the statuses Meta reported summed over their shards."""
    runs: dict[str, NewsletterRecord] = {}
    statuses: dict[str, dict[str, int]] = {}
    skipped_at_send: dict[str, dict[str, int]] = {}
    reasons: dict[str, dict[str, int]] = {}
    prefix = f"run#{newsletter_id}#"
    for record in NewsletterRecord.query(business_id, NewsletterRecord.newsletter_key.startswith(prefix)):
        run_id, _, rest = record.newsletter_key.removeprefix(prefix).partition("#")
        if not rest:
            runs[run_id] = record
        elif rest.startswith("stat#"):
            totals = statuses.setdefault(run_id, {})
            for status, attribute in _STATUSES.items():
                totals[status] = totals.get(status, 0) + int(getattr(record, attribute.attr_name) or 0)
            skipped = skipped_at_send.setdefault(run_id, {})
            for reason, attribute in _SKIPPED.items():
                skipped[reason] = skipped.get(reason, 0) + int(getattr(record, attribute.attr_name) or 0)
        elif rest.startswith("reason#"):
            reasons.setdefault(run_id, {})[rest.removeprefix("reason#")] = int(record.count or 0)
    found = [
        _run_from(
            record,
            newsletter_id,
            run_id,
            statuses=statuses.get(run_id, {}),
            failed_reasons=reasons.get(run_id, {}),
            skipped_at_send=skipped_at_send.get(run_id, {}),
        )
        for run_id, record in runs.items()
    ]
    return sorted(found, key=lambda run: run.started_at, reverse=True)


def count_skipped_at_send(business_id: str, newsletter_run: str, reason: str, shard: int) -> None:
    """Count a queued message the sender skipped (its customer opted out since its page was queued), on a shard."""
    newsletter_id, _, run_id = newsletter_run.partition("#")
    key = f"{_run_key(newsletter_id, run_id)}#stat#{shard % STAT_SHARDS}"
    NewsletterRecord(business_id=business_id, newsletter_key=key).update(actions=[_SKIPPED[reason].add(1)])


def count_statuses(business_id: str, newsletter_run: str, statuses: list[str], shard: int, reason: str | None) -> None:
    """Count one message of a run reaching `statuses` (in one update of one of the run's counter shards),
    and its failure reason."""
    actions = [_STATUSES[status].add(1) for status in statuses if status in _STATUSES]
    newsletter_id, _, run_id = newsletter_run.partition("#")
    if actions:
        key = f"{_run_key(newsletter_id, run_id)}#stat#{shard % STAT_SHARDS}"
        NewsletterRecord(business_id=business_id, newsletter_key=key).update(actions=actions)
    if reason:
        key = f"{_run_key(newsletter_id, run_id)}#reason#{reason}"
        NewsletterRecord(business_id=business_id, newsletter_key=key).update(actions=[NewsletterRecord.count.add(1)])


# -- messaging limits -----------------------------------------------------------------------------


def get_messaging_limit(business_id: str, phone_number_id: str) -> str | None:
    """The messaging limit the business set for its number; None when it set none."""
    try:
        return NewsletterRecord.get(business_id, f"limit#{phone_number_id}").messaging_limit
    except DoesNotExist:
        return None


def put_messaging_limit(business_id: str, phone_number_id: str, limit: str, now: datetime) -> None:
    """Set the number's messaging limit."""
    NewsletterRecord(
        business_id=business_id,
        newsletter_key=f"limit#{phone_number_id}",
        messaging_limit=limit,
        updated_at=to_iso(now),
    ).save()


def _hour(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H")


def reached_since(business_id: str, phone_number_id: str, since: datetime) -> set[str]:
    """The customers the number's newsletters reached since `since` (by whole hours), each once."""
    prefix = f"usage#{phone_number_id}#"
    query = NewsletterRecord.query(
        business_id,
        NewsletterRecord.newsletter_key.between(prefix + _hour(since), prefix + "~"),
        attributes_to_get=["customers"],
    )
    return set().union(*(record.customers or set() for record in query))


def add_reached(business_id: str, phone_number_id: str, at: datetime, part: str, customer_ids: set[str]) -> None:
    """Keep the customers one page of a run reached in the hour of `at` (kept two days; one item per page,
    so an item holds at most a page's ids, far below DynamoDB's item size)."""
    if not customer_ids:
        return
    key = f"usage#{phone_number_id}#{_hour(at)}#{part}"
    NewsletterRecord(business_id=business_id, newsletter_key=key).update(
        actions=[NewsletterRecord.customers.add(customer_ids), NewsletterRecord.expires_at.set(at + timedelta(days=2))]
    )
