"""Who of a newsletter's audience gets this run's message, and with what variables: pure decisions, per page.

A subscriber is in the audience when the newsletter goes to all, or when they carry one of its tags.
Of the audience, each one is either queued or skipped with a reason: opted out (checked when the
page is read, so an opt-out between scheduling and sending wins), the template no longer sendable
(paused or disabled by Meta), or a variable their attributes cannot fill. The number's messaging
limit (Meta's tiers: customers per rolling 24 hours) stops a page instead: whoever is past it waits
for the window to free up, and the run goes on with them then. Nobody is dropped silently.

The window holds the customers each page queued, by hour: a customer reached twice in it counts
once, as Meta counts them.
"""

from collections import Counter
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bizline.models.newsletters import Recipient, RunCounts
from bizline.rules.templates import NAMED, VARIABLE_HOLDERS, TemplateVariables, send_components

OPTED_OUT, TEMPLATE_PAUSED, MISSING_VARIABLE = ("opted_out", "template_paused", "missing_variable")
# Meta's messaging limits: unique customers a business number may start conversations with per rolling 24 hours.
LIMITS: dict[str, int | None] = {"250": 250, "2000": 2000, "10000": 10000, "100000": 100000, "unlimited": None}
DEFAULT_LIMIT = "250"
WINDOW = timedelta(hours=24)
# Meta's per-user marketing message limit: final for this message, never retried.
MARKETING_LIMIT_ERROR = 131049
# A recurring newsletter's firing while its earlier run still sends opens no run (two would overlap).
PREVIOUS_RUN_SENDING = "previous_run_sending"
# A run queues all its pages within minutes (the sender paces the sends, not the dispatcher): one that
# still says `sending` after this is stuck, and does not keep later firings from running.
STUCK_AFTER = timedelta(hours=1)
# A run stopped by the number's messaging limit looks again this much later (SQS's longest delay): the
# rolling window frees hour by hour, and each look costs a few reads.
LIMIT_RECHECK = timedelta(minutes=15)


@dataclass(frozen=True)
class PagePlan:
    """A page's decision: whom to queue (with their variable values) and what it counts.

    `decided` recipients of the page were decided (all of them, unless the messaging limit stopped the
    page: then `waits_for_limit`, and the rest of the page waits for the next window, uncounted).
    """

    queue: list[tuple[Recipient, dict[str, str]]] = field(default_factory=list)
    counts: RunCounts = field(default_factory=RunCounts)
    decided: int = 0
    waits_for_limit: bool = False


def in_audience(recipient: Recipient, audience_tags: list[str]) -> bool:
    """Whether the subscriber is in an audience: everyone when it names no tags, else anyone with one of them."""
    return not audience_tags or bool(set(recipient.tags) & set(audience_tags))


def fill_variables(variables: dict[str, dict[str, str]], attributes: dict[str, str]) -> dict[str, str] | None:
    """Each template variable's value for one subscriber; None when an attribute is missing and has no default."""
    values = {}
    for name, source in variables.items():
        if "text" in source:
            values[name] = source["text"]
            continue
        value = attributes.get(source["attribute"]) or source.get("default")
        if not value:
            return None
        values[name] = value
    return values


def is_unlimited(limit: str | None) -> bool:
    return LIMITS.get(limit or DEFAULT_LIMIT, LIMITS[DEFAULT_LIMIT]) is None


def allowance(limit: str | None, used_in_window: int) -> int | None:
    """How many more unique customers the number may reach in the rolling window; None for no limit."""
    cap = LIMITS.get(limit or DEFAULT_LIMIT, LIMITS[DEFAULT_LIMIT])
    return None if cap is None else max(0, cap - used_in_window)


def window_start(now: datetime) -> datetime:
    """The start of the rolling 24 hours a send at `now` counts in (by whole hours, the buckets usage is kept in)."""
    return (now - WINDOW).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def overlaps_earlier_run(cron: str | None, state: str, sending_since: datetime | None, now: datetime) -> bool:
    """Whether a recurring newsletter's firing would run beside its earlier run, still sending (not stuck)."""
    if cron is None or state != "sending" or sending_since is None:
        return False
    return now - sending_since < STUCK_AFTER


def plan_page(
    recipients: Iterable[Recipient],
    audience_tags: list[str],
    variables: dict[str, dict[str, str]],
    template_sendable: bool,
    remaining: int | None,
    reached: Set[str] = frozenset(),
) -> PagePlan:
    """Decide one page: queue or skip (with the reason) each subscriber of the audience, within `remaining`.

    `remaining` counts new customers: one the number `reached` in the window already takes none of it.
    The first new one past `remaining` stops the page: they and the rest wait for the next window.
    """
    queue: list[tuple[Recipient, dict[str, str]]] = []
    skipped: Counter[str] = Counter()
    audience = decided = new = 0
    waits = False
    for recipient in recipients:
        if in_audience(recipient, audience_tags):
            if not recipient.subscribed:
                skipped[OPTED_OUT] += 1
            elif not template_sendable:
                skipped[TEMPLATE_PAUSED] += 1
            elif (values := fill_variables(variables, recipient.attributes)) is None:
                skipped[MISSING_VARIABLE] += 1
            elif (known := recipient.customer_id in reached) or remaining is None or new < remaining:
                queue.append((recipient, values))
                new += not known
            else:
                waits = True
                break
            audience += 1
        decided += 1
    counts = RunCounts(audience=audience, queued=len(queue), skipped=dict(skipped))
    return PagePlan(queue, counts, decided, waits)


def variable_keys(variables: TemplateVariables) -> set[str]:
    """The keys a newsletter fills a template's variables by: names, or `body.1` for numbered ones."""
    if variables.parameter_format == NAMED:
        return {name for component in VARIABLE_HOLDERS for name in variables.of(component)}
    return {f"{component}.{name}" for component in VARIABLE_HOLDERS for name in variables.of(component)}


def template_content(name: str, language: str, variables: TemplateVariables, values: dict[str, str]) -> dict:
    """The message content of one newsletter send: the template with this subscriber's values."""
    if variables.parameter_format == NAMED:
        components = send_components(variables, values)
    else:
        components = []
        for component in VARIABLE_HOLDERS:
            single = TemplateVariables(variables.parameter_format, **{component: variables.of(component)})
            own = {key.split(".", 1)[1]: value for key, value in values.items() if key.startswith(component + ".")}
            components += send_components(single, own) if variables.of(component) else []
    return {"type": "template", "template": {"name": name, "language": {"code": language}, "components": components}}
