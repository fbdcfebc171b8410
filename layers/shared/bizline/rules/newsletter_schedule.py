"""When a newsletter goes out: a one-time `send_at` or a recurring cron, as EventBridge Scheduler expressions.

`send_at` is ISO 8601 with a UTC offset (`2027-03-28T09:00:00+02:00`), or a local time with an IANA
zone (`2027-03-28T09:00:00` + `Europe/Vienna`). It must lie in the future and at most a year ahead.
A local time the zone skips (02:30 on the spring-forward night in Vienna) is refused, because no
such moment exists and a silent shift would send at a time nobody chose; a local time the zone has
twice (the autumn night) is its first occurrence and is scheduled in UTC, so there is no doubt which.
A recurring `schedule` is an EventBridge cron (six fields) evaluated in its IANA zone; Scheduler skips
a firing that falls into the skipped hour and fires once in the repeated one.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_AHEAD = timedelta(days=365)
# The dispatcher needs a moment to be invoked: a send_at closer than this is "now", not the future.
MIN_AHEAD = timedelta(seconds=5)
_CRON = re.compile(r"^cron\(([^()]+)\)$")


class ScheduleProblem(ValueError):
    """A time or schedule that cannot be used: the field and what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SchedulerExpression:
    """What EventBridge Scheduler is given: the expression and the zone it is evaluated in."""

    expression: str
    timezone: str
    one_time: bool
    first_at: datetime | None = None


def zone(name: str) -> ZoneInfo:
    """An IANA zone by name; ScheduleProblem for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ScheduleProblem("timezone", f"{name!r} is not an IANA time zone, e.g. Europe/Vienna") from error


def _exists(local: datetime, tz: ZoneInfo) -> bool:
    """Whether a wall-clock time exists in the zone (it round-trips through UTC unchanged)."""
    back = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    return back.replace(tzinfo=None) == local


def _ambiguous(local: datetime, tz: ZoneInfo) -> bool:
    first = local.replace(tzinfo=tz, fold=0).utcoffset()
    second = local.replace(tzinfo=tz, fold=1).utcoffset()
    return first != second


def one_time(send_at: datetime, timezone: str | None, now: datetime) -> SchedulerExpression:
    """The `at()` schedule of a one-time send; ScheduleProblem for a past, too distant or non-existent time."""
    if send_at.tzinfo is None:
        if not timezone:
            raise ScheduleProblem("send_at", "give a UTC offset (e.g. +01:00) or a `timezone` (e.g. Europe/Vienna)")
        tz = zone(timezone)
        local = send_at.replace(microsecond=0)
        if not _exists(local, tz):
            raise ScheduleProblem(
                "send_at",
                f"{local.isoformat()} does not exist in {timezone}: the clocks skip it (daylight saving time)",
            )
        instant = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
        if _ambiguous(local, tz):
            expression = SchedulerExpression(f"at({_wall(instant)})", "UTC", True, instant)
        else:
            expression = SchedulerExpression(f"at({_wall(local)})", timezone, True, instant)
    else:
        if timezone:
            raise ScheduleProblem("timezone", "send_at carries a UTC offset already: leave `timezone` out")
        instant = send_at.astimezone(UTC).replace(microsecond=0)
        expression = SchedulerExpression(f"at({_wall(instant)})", "UTC", True, instant)
    if instant < now + MIN_AHEAD:
        raise ScheduleProblem("send_at", "send_at is in the past: choose a time in the future, or send now")
    if instant > now + MAX_AHEAD:
        raise ScheduleProblem("send_at", "send_at is more than a year ahead")
    return expression


def recurring(cron: str, timezone: str) -> SchedulerExpression:
    """The `cron()` schedule of a recurring newsletter; ScheduleProblem unless it has EventBridge's six fields."""
    zone(timezone)
    text = cron.strip()
    match = _CRON.match(text)
    fields = (match.group(1) if match else text).split()
    if len(fields) != 6:
        raise ScheduleProblem(
            "schedule.cron", "an EventBridge cron has six fields: minutes hours day month weekday year"
        )
    if "?" not in (fields[2], fields[4]):
        raise ScheduleProblem("schedule.cron", "one of day-of-month and day-of-week must be `?`")
    if fields[0] in {"*", "?"} or "/" in fields[0] or "," in fields[0] or "-" in fields[0]:
        raise ScheduleProblem("schedule.cron", "a newsletter goes out at most once an hour: fix the minute")
    return SchedulerExpression(f"cron({' '.join(fields)})", timezone, False)


def _wall(moment: datetime) -> str:
    return moment.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")


def run_id_for(scheduled_time: str | None, fallback: str) -> str:
    """A run's id: the time Scheduler says the firing was for (the same on a repeated invocation), else `fallback`."""
    if scheduled_time and not scheduled_time.startswith("<"):
        return "run_" + re.sub(r"[^0-9A-Za-z]", "", scheduled_time)[:20]
    return fallback


def send_id(business_id: str, newsletter_id: str, run_id: str, customer_id: str) -> str:
    """The one message id of one newsletter run for one recipient: a retried page cannot send twice."""
    digest = hashlib.sha256(f"{business_id}|{newsletter_id}|{run_id}|{customer_id}".encode()).hexdigest()
    return f"msg_nl{digest[:22]}"
