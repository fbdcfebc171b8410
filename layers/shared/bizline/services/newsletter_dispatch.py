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
from bizline.models.newsletters import CANCELLED, FAILED, SCHEDULED, SENDING, SENT, RunCounts, StoredNewsletter
from bizline.models.tasks import DispatchTask, NewsletterSend, ScheduledFiring, SendTask
from bizline.observability import logger
from bizline.rules import newsletter_dispatch as rules
from bizline.rules.newsletter_schedule import run_id_for, send_id
from bizline.services.template_checks import sendable_template, template_variables_of
from bizline.settings import get_settings

PAGE_SIZE = 1000
# A run opened this long ago and still at its first page lost its invocation: a repeated firing takes it on.
ABANDONED_AFTER = timedelta(minutes=16)


def scheduled_run(event: dict, seconds_left: Callable[[], float], now: datetime | None = None) -> str:
    """A firing of a newsletter's schedule: its run is named by the time Scheduler fired it for."""
    firing = ScheduledFiring.model_validate(event)
    now = now or utc_now()
    run_id = run_id_for(firing.scheduled_time, f"run_{now.strftime('%Y%m%dT%H%M')}")
    return dispatch(firing.business_id, firing.newsletter_id, run_id, 0, seconds_left, now)


def dispatch(
    business_id: str,
    newsletter_id: str,
    run_id: str,
    page: int,
    seconds_left: Callable[[], float],
    now: datetime | None = None,
) -> str:
    """Go on with a run from `page` until it is done or the invocation's time runs short. Returns what happened."""
    now = now or utc_now()
    newsletter = newsletters_store.get_newsletter(business_id, newsletter_id)
    if newsletter is None:
        return "no such newsletter"
    if newsletter.state == CANCELLED:
        if page > 0:
            # A run under way: it ends here, as cancelled, with no further page queued.
            run = newsletters_store.get_run(business_id, newsletter_id, run_id)
            cursor = run.cursor if run else None
            newsletters_store.advance_run(
                business_id, newsletter_id, run_id, page, cursor, RunCounts(), (CANCELLED, now)
            )
        return "cancelled"
    if page == 0 and not _open_run(newsletter, run_id, now):
        return "the run was started before: nothing is sent twice"
    run = newsletters_store.get_run(business_id, newsletter_id, run_id)
    if run is None or run.state != SENDING or run.page != page:
        return "another invocation has the run"
    cursor, queued_before = run.cursor, run.counts.queued
    limit = newsletters_store.get_messaging_limit(business_id, newsletter.phone_number_id)
    used = newsletters_store.usage_since(business_id, newsletter.phone_number_id, rules.window_start(now))
    remaining = rules.allowance(limit, used)
    while True:
        current = newsletters_store.get_newsletter(business_id, newsletter_id)
        if current is None or current.state == CANCELLED:
            newsletters_store.advance_run(
                business_id, newsletter_id, run_id, page, cursor, RunCounts(), (CANCELLED, now)
            )
            return f"cancelled at page {page}"
        template = sendable_template(business_id, newsletter.template_name, newsletter.template_language)
        recipients, next_key = subscribers_store.recipients_page(business_id, PAGE_SIZE, cursor)
        plan = rules.plan_page(
            recipients, newsletter.audience_tags, newsletter.variables, template is not None, remaining
        )
        variables = template_variables_of(template) if template is not None else None
        tasks = [_send_task(newsletter, run_id, recipient, values, variables) for recipient, values in plan.queue]
        queues.send_tasks(get_settings().send_queue_url, tasks)
        if tasks:
            newsletters_store.add_usage(business_id, newsletter.phone_number_id, now, len(tasks))
            remaining = None if remaining is None else remaining - len(tasks)
        queued_before += plan.counts.queued
        finished = None if next_key else (_final_state(newsletter, template is not None, queued_before), now)
        if not newsletters_store.advance_run(business_id, newsletter_id, run_id, page, next_key, plan.counts, finished):
            return f"another invocation has the run from page {page}"
        page, cursor = page + 1, next_key
        if finished is not None:
            state = finished[0]
            newsletters_store.set_state(
                business_id, newsletter_id, SCHEDULED if newsletter.cron else state, now, (SENDING,)
            )
            return f"{state}: {queued_before} queued in {page} page(s)"
        if seconds_left() < get_settings().dispatch_handoff_seconds:
            task = DispatchTask(business_id=business_id, newsletter_id=newsletter_id, run_id=run_id, page=page)
            queues.send_tasks(get_settings().newsletter_dispatch_queue_url, [task])
            return f"handed over at page {page}"


def _open_run(newsletter: StoredNewsletter, run_id: str, now: datetime) -> bool:
    """Open the run and mark the newsletter sending; False when the run exists and is not abandoned."""
    business_id, newsletter_id = newsletter.business_id, newsletter.newsletter_id
    if not newsletters_store.start_run(business_id, newsletter_id, run_id, now):
        run = newsletters_store.get_run(business_id, newsletter_id, run_id)
        if run is None or run.state != SENDING or run.page != 0 or now - run.started_at < ABANDONED_AFTER:
            logger.info("repeated invocation of a run", extra={"newsletter_id": newsletter_id, "run_id": run_id})
            return False
    newsletters_store.set_state(business_id, newsletter_id, SENDING, now, ("draft", SCHEDULED, SENDING, SENT, FAILED))
    return True


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
