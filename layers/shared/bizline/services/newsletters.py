"""A business's newsletters: create (approved template, variables, audience, when), list, show, reschedule,
cancel, send now; and the messaging limit of each of its numbers.

Each newsletter with a time has one EventBridge Scheduler schedule; the schedule is written before the
newsletter says `scheduled`, so a newsletter never claims a schedule it does not have (an orphan
schedule of a failed write finds no newsletter and sends nothing).
"""

import secrets
from datetime import datetime

from bizline.adapters import newsletter_schedules, newsletters_store, queues
from bizline.adapters.cursors import decode_cursor, encode_cursor, owned_by
from bizline.clock import utc_now
from bizline.errors import Conflict, NotFound, ValidationFailed
from bizline.models.newsletters import (
    CANCELLED,
    DRAFT,
    FAILED,
    SCHEDULED,
    SENDING,
    SENT,
    CreateNewsletterRequest,
    MessagingLimitRequest,
    MessagingLimitView,
    Newsletter,
    NewsletterList,
    RunStats,
    StoredNewsletter,
    StoredRun,
    UpdateNewsletterRequest,
)
from bizline.models.tasks import DispatchTask
from bizline.rules import newsletter_dispatch, newsletter_schedule
from bizline.services.phone_numbers import owned_phone_number
from bizline.services.template_checks import approved_template, template_variables_of, variables_mismatch
from bizline.settings import get_settings

_LISTING = "newsletters"
CHANGEABLE = (DRAFT, SCHEDULED)


def _run_view(run: StoredRun) -> RunStats:
    return RunStats(
        run_id=run.run_id,
        state=run.state,
        started_at=run.started_at,
        finished_at=run.finished_at,
        skip_reason=run.skip_reason,
        waiting_for_limit_until=run.waits_until,
        audience=run.counts.audience,
        queued=run.counts.queued,
        sent=run.statuses.get("sent", 0),
        delivered=run.statuses.get("delivered", 0),
        read=run.statuses.get("read", 0),
        failed=run.statuses.get("failed", 0),
        failed_reasons=run.failed_reasons,
        skipped={reason: number for reason, number in run.counts.skipped.items() if number},
    )


def view(newsletter: StoredNewsletter, runs: list[StoredRun] | None = None) -> Newsletter:
    """A newsletter as the API shows it (with its runs' stats when given)."""
    return Newsletter(
        newsletter_id=newsletter.newsletter_id,
        name=newsletter.name,
        state=newsletter.state,
        from_phone_number_id=newsletter.phone_number_id,
        template={"name": newsletter.template_name, "language": newsletter.template_language},
        variables=newsletter.variables,
        audience={"type": "tags", "tags": newsletter.audience_tags} if newsletter.audience_tags else {"type": "all"},
        send_at=newsletter.send_at,
        schedule={"cron": newsletter.cron, "timezone": newsletter.timezone or "UTC"} if newsletter.cron else None,
        created_at=newsletter.created_at,
        updated_at=newsletter.updated_at,
        runs=[_run_view(run) for run in runs] if runs is not None else None,
    )


def _timing(
    request: CreateNewsletterRequest | UpdateNewsletterRequest, now: datetime
) -> newsletter_schedule.SchedulerExpression | None:
    """The Scheduler expression of the request's `send_at` or `schedule`; 422 for a time that cannot be used."""
    try:
        if request.send_at is not None:
            return newsletter_schedule.one_time(request.send_at, request.timezone, now)
        if request.schedule is not None:
            return newsletter_schedule.recurring(request.schedule.cron, request.schedule.timezone)
    except newsletter_schedule.ScheduleProblem as problem:
        field = problem.field if problem.field != "timezone" or request.send_at else "schedule.timezone"
        raise ValidationFailed(problem.message, details=[{"field": field, "message": problem.message}]) from problem
    return None


def _stored_timing(request: CreateNewsletterRequest | UpdateNewsletterRequest, expression) -> dict:
    if expression is None:
        return {"send_at": None, "cron": None, "timezone": None}
    if expression.one_time:
        return {"send_at": expression.first_at, "cron": None, "timezone": request.timezone}
    return {"send_at": None, "cron": expression.expression, "timezone": expression.timezone}


def create_newsletter(business_id: str, request: CreateNewsletterRequest, now: datetime | None = None) -> Newsletter:
    """Create a newsletter of an approved template with exactly its variables; scheduled when it has a time."""
    now = now or utc_now()
    number = owned_phone_number(business_id, request.from_phone_number_id)
    template = approved_template(business_id, request.template.name, request.template.language, number.waba_id)
    variables = template_variables_of(template)
    if variables is not None:
        expected, given = newsletter_dispatch.variable_keys(variables), set(request.variables)
        if expected != given:
            raise variables_mismatch(sorted(expected - given), sorted(given - expected), field="variables")
    expression = _timing(request, now)
    newsletter = StoredNewsletter(
        business_id=business_id,
        newsletter_id=f"nl_{secrets.token_hex(10)}",
        name=request.name,
        state=SCHEDULED if expression else DRAFT,
        phone_number_id=request.from_phone_number_id,
        template_name=request.template.name,
        template_language=request.template.language,
        variables={name: source.model_dump(exclude_none=True) for name, source in request.variables.items()},
        audience_tags=sorted(set(request.audience.tags)),
        created_at=now,
        updated_at=now,
        **_stored_timing(request, expression),
    )
    if expression is not None:
        newsletter_schedules.put_schedule(business_id, newsletter.newsletter_id, expression)
    newsletters_store.add_newsletter(newsletter)
    return view(newsletter)


def _stored(business_id: str, newsletter_id: str) -> StoredNewsletter:
    newsletter = newsletters_store.get_newsletter(business_id, newsletter_id)
    if newsletter is None:
        raise NotFound("No such newsletter.")
    return newsletter


def get_newsletter(business_id: str, newsletter_id: str) -> Newsletter:
    """One newsletter with each run's stats; 404 for another business's."""
    newsletter = _stored(business_id, newsletter_id)
    return view(newsletter, newsletters_store.list_runs(business_id, newsletter_id))


def list_newsletters(business_id: str, limit: int, cursor: str | None) -> NewsletterList:
    """A page of the business's newsletters; the cursor is signed for this business's listing."""
    scope = f"{_LISTING}#{business_id}"
    start = decode_cursor(cursor, owned_by(business_id), scope)
    items, last_key = newsletters_store.list_newsletters(business_id, limit, start)
    return NewsletterList(items=[view(item) for item in items], next_cursor=encode_cursor(last_key, scope))


def _not_changeable(newsletter: StoredNewsletter, doing: str) -> Conflict:
    return Conflict(f"The newsletter is {newsletter.state}: it cannot be {doing}.", code="newsletter_not_changeable")


def reschedule(
    business_id: str, newsletter_id: str, request: UpdateNewsletterRequest, now: datetime | None = None
) -> Newsletter:
    """Give a draft or scheduled newsletter a new time or cron: its schedule is replaced; 409 once it is sending."""
    now = now or utc_now()
    newsletter = _stored(business_id, newsletter_id)
    if newsletter.state not in CHANGEABLE:
        raise _not_changeable(newsletter, "rescheduled")
    expression = _timing(request, now)
    newsletter_schedules.put_schedule(business_id, newsletter_id, expression)
    timing = _stored_timing(request, expression)
    if not newsletters_store.set_timing(
        business_id, newsletter_id, SCHEDULED, now=now, from_states=CHANGEABLE, **timing
    ):
        # Cancelled or started in the meantime: it keeps no schedule it does not show.
        newsletter_schedules.delete_schedule(newsletter_id)
        raise _not_changeable(_stored(business_id, newsletter_id), "rescheduled")
    return view(_stored(business_id, newsletter_id))


def cancel(business_id: str, newsletter_id: str, now: datetime | None = None) -> Newsletter:
    """Cancel: the schedule is deleted and a running fan-out queues no more pages; 409 once sent or failed."""
    now = now or utc_now()
    newsletter = _stored(business_id, newsletter_id)
    if newsletter.state in (SENT, FAILED):
        raise _not_changeable(newsletter, "cancelled")
    cancellable = (DRAFT, SCHEDULED, SENDING)
    if newsletter.state != CANCELLED and not newsletters_store.set_state(
        business_id, newsletter_id, CANCELLED, now, cancellable
    ):
        raise _not_changeable(_stored(business_id, newsletter_id), "cancelled")
    newsletter_schedules.delete_schedule(newsletter_id)
    return get_newsletter(business_id, newsletter_id)


def delete_newsletter(business_id: str, newsletter_id: str) -> None:
    """Delete a newsletter with its runs and schedule; 409 while it is sending (cancel it first).

    The messages it sent stay in their conversations, naming it.
    """
    newsletter = _stored(business_id, newsletter_id)
    if newsletter.state == SENDING or not newsletters_store.delete_newsletter(business_id, newsletter_id):
        raise Conflict("The newsletter is sending: cancel it first, then delete it.", code="newsletter_not_changeable")
    # After the newsletter: a firing in between finds no newsletter and sends nothing.
    newsletter_schedules.delete_schedule(newsletter_id)


def send_now(business_id: str, newsletter_id: str, now: datetime | None = None) -> Newsletter:
    """Start a run at once (a one-time newsletter's schedule is deleted; a recurring one keeps its cron)."""
    now = now or utc_now()
    newsletter = _stored(business_id, newsletter_id)
    if newsletter.state not in CHANGEABLE:
        raise _not_changeable(newsletter, "sent now")
    # The state is the lock: of two send-nows at once, one starts a run.
    if not newsletters_store.set_state(business_id, newsletter_id, SENDING, now, CHANGEABLE):
        raise _not_changeable(_stored(business_id, newsletter_id), "sent now")
    run_id = f"now_{now.strftime('%Y%m%dT%H%M%S')}_{secrets.token_hex(3)}"
    task = DispatchTask(business_id=business_id, newsletter_id=newsletter_id, run_id=run_id)
    try:
        queues.send_tasks(get_settings().newsletter_dispatch_queue_url, [task])
    except Exception:
        # Not started: the newsletter is as it was, its schedule kept.
        newsletters_store.set_state(business_id, newsletter_id, newsletter.state, now, (SENDING,))
        raise
    if newsletter.cron is None:
        newsletter_schedules.delete_schedule(newsletter_id)
    return view(_stored(business_id, newsletter_id))


def set_messaging_limit(
    business_id: str, phone_number_id: str, request: MessagingLimitRequest, now: datetime | None = None
) -> MessagingLimitView:
    """Set the messaging limit Meta gives the business's number; 404 for a number it does not own."""
    owned_phone_number(business_id, phone_number_id)
    now = now or utc_now()
    newsletters_store.put_messaging_limit(business_id, phone_number_id, request.limit, now)
    return _limit_view(business_id, phone_number_id, request.limit, now)


def get_messaging_limit(business_id: str, phone_number_id: str) -> MessagingLimitView:
    """The number's messaging limit (Meta's starting tier, 250, until the business sets it)."""
    owned_phone_number(business_id, phone_number_id)
    limit = newsletters_store.get_messaging_limit(business_id, phone_number_id) or newsletter_dispatch.DEFAULT_LIMIT
    return _limit_view(business_id, phone_number_id, limit, utc_now())


def _limit_view(business_id: str, phone_number_id: str, limit: str, now: datetime) -> MessagingLimitView:
    """The limit with the customers the number reached in the rolling window up to `now`."""
    reached = newsletters_store.reached_since(business_id, phone_number_id, newsletter_dispatch.window_start(now))
    return MessagingLimitView(phone_number_id=phone_number_id, limit=limit, reached_in_window=len(reached))
