"""A newsletter run: page through the subscribers, queue each one's send, count per page, hand on before the timeout.

Invoked by EventBridge Scheduler (at least once) with the newsletter and the firing's scheduled time,
by a send-now, or by the dispatch queue with a run's next page. A run is opened once (a repeated
firing finds it open and sends nothing); each page is counted and the cursor moved by one conditional
update from the page it read, so only one invocation ever goes on with a run. A page queued twice
(an invocation that died before counting it) is harmless: every send has one id per run and recipient,
and the sender stores each id once. Opt-outs, the template's state and the number's messaging limit
are read when each page is sent, never when the newsletter was scheduled.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from bizline.adapters import newsletters_store, queues, subscribers_store
from bizline.clock import utc_now
from bizline.models.newsletters import (
    CANCELLED,
    DRAFT,
    FAILED,
    SCHEDULED,
    SENDING,
    SENT,
    RunCounts,
    StoredNewsletter,
    StoredRun,
)
from bizline.models.tasks import DispatchTask, NewsletterSend, ScheduledFiring, SendTask
from bizline.observability import logger
from bizline.rules import newsletter_dispatch as rules
from bizline.rules.newsletter_schedule import run_id_for, send_id
from bizline.services.template_checks import sendable_template, template_variables_of
from bizline.settings import get_settings

PAGE_SIZE = 1000
# How long an invocation holds a run: longer than the dispatcher's timeout, so a holder that died without
# giving it back (no retry then) lets the next firing or task go on after this.
LEASE = timedelta(minutes=16)


def scheduled_run(event: dict, seconds_left: Callable[[], float], now: datetime | None = None) -> str:
    """A firing of a newsletter's schedule: its run is named by the time Scheduler fired it for."""
    firing = ScheduledFiring.model_validate(event)
    now = now or utc_now()
    run_id = run_id_for(firing.scheduled_time, f"run_{now.strftime('%Y%m%dT%H%M')}")
    return dispatch(firing.business_id, firing.newsletter_id, run_id, 0, seconds_left, now, firing=True)


def dispatch(
    business_id: str,
    newsletter_id: str,
    run_id: str,
    page: int,
    seconds_left: Callable[[], float],
    now: datetime | None = None,
    firing: bool = False,
) -> str:
    """Go on with a run until it is done or the invocation's time runs short. Returns what happened.

    A firing (`page` 0) opens the run; any invocation goes on only with the run's lease, from the page
    the run itself is at: a repeated firing or task finds it held (or over) and does nothing.
    """
    now = now or utc_now()
    newsletter = newsletters_store.get_newsletter(business_id, newsletter_id)
    if newsletter is None:
        return "no such newsletter"
    lease_until = now + LEASE
    run = None
    # A firing beside a run still sending is kept as a skipped run (the business sees it); a repeat of the
    # running one's own firing finds that run and goes on below.
    overlaps = firing and rules.overlaps_earlier_run(newsletter.cron, newsletter.state, newsletter.updated_at, now)
    if overlaps and newsletters_store.skip_run(business_id, newsletter_id, run_id, now, rules.PREVIOUS_RUN_SENDING):
        logger.warning("firing skipped: an earlier run still sends", extra={"newsletter_id": newsletter_id})
        return "skipped: an earlier run is still sending"
    if newsletter.state == CANCELLED:
        run = newsletters_store.take_run(business_id, newsletter_id, run_id, now, lease_until)
        if run is not None:
            # A run under way: it ends here, as cancelled, with no further page queued.
            newsletters_store.advance_run(
                business_id, newsletter_id, run_id, run.page, run.cursor, RunCounts(), (CANCELLED, now)
            )
        return "cancelled"
    # A one-time newsletter's schedule opens a run only while the newsletter waits for it (not once sent now).
    may_open = page == 0 and not (firing and newsletter.cron is None and newsletter.state != SCHEDULED)
    if may_open and newsletters_store.start_run(business_id, newsletter_id, run_id, now, lease_until):
        from_states = (DRAFT, SCHEDULED, SENDING, SENT, FAILED)
        newsletters_store.set_state(business_id, newsletter_id, SENDING, now, from_states)
        run = newsletters_store.get_run(business_id, newsletter_id, run_id)
    else:
        run = newsletters_store.take_run(business_id, newsletter_id, run_id, now, lease_until)
    if run is None:
        logger.info("run held or over", extra={"newsletter_id": newsletter_id, "run_id": run_id, "page": page})
        return "the run is held by another invocation or over: nothing is sent twice"
    try:
        return _pages(newsletter, run, seconds_left, now)
    except Exception:
        # Given back, so the retry (Scheduler's or the queue's) goes on from the last page counted.
        newsletters_store.release_run(business_id, newsletter_id, run_id)
        raise


def _pages(newsletter: StoredNewsletter, run: StoredRun, seconds_left: Callable[[], float], now: datetime) -> str:
    business_id, newsletter_id, run_id = newsletter.business_id, newsletter.newsletter_id, run.run_id
    page, cursor, queued_before = run.page, run.cursor, run.counts.queued
    limit = newsletters_store.get_messaging_limit(business_id, newsletter.phone_number_id)
    # The customers reached in the window are read only where a limit applies (they are kept either way).
    reached: set[str] = set()
    if not rules.is_unlimited(limit):
        reached = newsletters_store.reached_since(business_id, newsletter.phone_number_id, rules.window_start(now))
    remaining = rules.allowance(limit, len(reached))
    while True:
        if page > run.page:
            current = newsletters_store.get_newsletter(business_id, newsletter_id)
            if current is None or current.state == CANCELLED:
                newsletters_store.advance_run(
                    business_id, newsletter_id, run_id, page, cursor, RunCounts(), (CANCELLED, now)
                )
                return f"cancelled at page {page}"
        template = sendable_template(business_id, newsletter.template_name, newsletter.template_language)
        recipients, next_key = subscribers_store.recipients_page(business_id, PAGE_SIZE, cursor)
        plan = rules.plan_page(
            recipients, newsletter.audience_tags, newsletter.variables, template is not None, remaining, reached
        )
        variables = template_variables_of(template) if template is not None else None
        tasks = [_send_task(newsletter, run_id, recipient, values, variables) for recipient, values in plan.queue]
        queues.send_tasks(get_settings().send_queue_url, tasks)
        queued_ids = {recipient.customer_id for recipient, _ in plan.queue}
        newsletters_store.add_reached(business_id, newsletter.phone_number_id, now, f"{run_id}#{page}", queued_ids)
        if remaining is not None:
            remaining -= len(queued_ids - reached)
            reached |= queued_ids
        queued_before += plan.counts.queued
        waits_until = None
        if plan.waits_for_limit:
            # The rest of the page, from the first one the limit stopped, is the next page.
            last = recipients[plan.decided - 1] if plan.decided else None
            next_key = subscribers_store.cursor_after(business_id, last.customer_id) if last else cursor
            waits_until = now + rules.LIMIT_RECHECK
        finished = None
        if not next_key and waits_until is None:
            finished = (_final_state(newsletter, template is not None, queued_before), now)
        if not newsletters_store.advance_run(
            business_id, newsletter_id, run_id, page, next_key, plan.counts, finished, waits_until
        ):
            return f"the run moved on from page {page} without this invocation"
        page, cursor = page + 1, next_key
        if waits_until is not None:
            return _wait_for_limit(newsletter, run_id, page, now)
        if finished is not None:
            state = finished[0]
            newsletters_store.set_state(
                business_id, newsletter_id, SCHEDULED if newsletter.cron else state, now, (SENDING,)
            )
            return f"{state}: {queued_before} queued in {page} page(s)"
        if seconds_left() < get_settings().dispatch_handoff_seconds:
            newsletters_store.release_run(business_id, newsletter_id, run_id)
            task = DispatchTask(business_id=business_id, newsletter_id=newsletter_id, run_id=run_id, page=page)
            queues.send_tasks(get_settings().newsletter_dispatch_queue_url, [task])
            return f"handed over at page {page}"


def _wait_for_limit(newsletter: StoredNewsletter, run_id: str, page: int, now: datetime) -> str:
    """Hand the run to an invocation after the recheck delay: the rest of the audience waits, nobody is dropped."""
    business_id, newsletter_id = newsletter.business_id, newsletter.newsletter_id
    newsletters_store.release_run(business_id, newsletter_id, run_id)
    # Touched, so a run waiting for its window never looks stuck to the next firing.
    newsletters_store.set_state(business_id, newsletter_id, SENDING, now, (SENDING,))
    task = DispatchTask(business_id=business_id, newsletter_id=newsletter_id, run_id=run_id, page=page)
    delay = int(rules.LIMIT_RECHECK.total_seconds())
    queues.send_tasks(get_settings().newsletter_dispatch_queue_url, [task], delay_seconds=delay)
    logger.info("run waits for the messaging limit", extra={"newsletter_id": newsletter_id, "page": page})
    return f"waiting for the messaging limit from page {page}"


def _final_state(newsletter: StoredNewsletter, template_sendable: bool, queued: int) -> str:
    return FAILED if queued == 0 and not template_sendable else SENT


def _send_task(newsletter: StoredNewsletter, run_id: str, recipient, values: dict[str, str], variables) -> SendTask:
    content = rules.template_content(
        newsletter.template_name,
        newsletter.template_language,
        variables or rules.TemplateVariables("positional"),
        values,
    )
    return SendTask(
        business_id=newsletter.business_id,
        message_id=send_id(newsletter.business_id, newsletter.newsletter_id, run_id, recipient.customer_id),
        newsletter=NewsletterSend(
            newsletter_run=f"{newsletter.newsletter_id}#{run_id}",
            customer_id=recipient.customer_id,
            phone_number_id=newsletter.phone_number_id,
            wa_id=recipient.wa_id,
            user_id=recipient.user_id,
            content=content,
        ),
    )
