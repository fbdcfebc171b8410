"""EventBridge schedule expressions: at(), rate() and cron() with time zones, evaluated per minute.

AWS cron has six fields: minutes hours day-of-month month day-of-week year; day-of-week counts
1 = SUN to 7 = SAT; one of day-of-month and day-of-week is `?`. Supported here: `*`, `?`, lists,
ranges, steps, month and day names, `L` (last day of the month) and `#` (nth weekday of the month).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_MONTHS = {name: index for index, name in enumerate(calendar.month_abbr) if name}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


class UnsupportedExpression(ValueError):
    pass


def _values(field: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    values: set[int] = set()
    for part in field.upper().split(","):
        for name, number in names.items():
            part = re.sub(rf"\b{name.upper()}\b", str(number), part)
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in {"*", "?"}:
            start, end = low, high
        elif "-" in part:
            start_text, end_text = part.split("-", 1)
            start, end = int(start_text), int(end_text)
        else:
            start = int(part)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise UnsupportedExpression(f"{field!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


@dataclass(frozen=True)
class Cron:
    minutes: str
    hours: str
    day_of_month: str
    month: str
    day_of_week: str
    year: str

    def matches(self, moment: datetime) -> bool:
        """Whether the cron fires in the minute that `moment` (local time) falls in."""
        if moment.minute not in _values(self.minutes, 0, 59, {}):
            return False
        if moment.hour not in _values(self.hours, 0, 23, {}):
            return False
        if moment.month not in _values(self.month, 1, 12, _MONTHS):
            return False
        if self.year not in {"*", "?"} and moment.year not in _values(self.year, 1970, 2199, {}):
            return False
        return self._day_matches(moment)

    def _day_matches(self, moment: datetime) -> bool:
        aws_weekday = (moment.isoweekday() % 7) + 1  # Monday=1 in ISO, Sunday=1 in AWS cron
        if self.day_of_month not in {"*", "?"}:
            if self.day_of_month.upper() == "L":
                return moment.day == calendar.monthrange(moment.year, moment.month)[1]
            if "W" in self.day_of_month.upper():
                raise UnsupportedExpression("the W (nearest weekday) wildcard is not supported locally")
            return moment.day in _values(self.day_of_month, 1, 31, {})
        if self.day_of_week not in {"*", "?"}:
            if "#" in self.day_of_week:
                day_text, nth = self.day_of_week.upper().split("#", 1)
                day = _DAYS.get(day_text) or int(day_text)
                return aws_weekday == day and (moment.day - 1) // 7 + 1 == int(nth)
            if self.day_of_week.upper().endswith("L"):
                day_text = self.day_of_week.upper()[:-1]
                day = _DAYS.get(day_text) or int(day_text)
                last = calendar.monthrange(moment.year, moment.month)[1]
                return aws_weekday == day and moment.day + 7 > last
            return aws_weekday in _values(self.day_of_week, 1, 7, _DAYS)
        return True


@dataclass(frozen=True)
class Schedule:
    kind: str  # "at", "rate" or "cron"
    zone: ZoneInfo
    at: datetime | None = None
    every: timedelta | None = None
    cron: Cron | None = None

    def due_between(self, after: datetime, until: datetime, anchor: datetime) -> list[datetime]:
        """The firing times in (after, until], UTC. `anchor` is where a rate() counts from."""
        if self.kind == "at":
            return [self.at] if after < self.at <= until else []
        if self.kind == "rate":
            elapsed = (after - anchor) // self.every if after > anchor else 0
            times = []
            moment = anchor + self.every * (elapsed + 1)
            while moment <= until:
                if moment > after:
                    times.append(moment)
                moment += self.every
            return times
        times = []
        minute = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        while minute <= until:
            if self.cron.matches(minute.astimezone(self.zone)):
                times.append(minute)
            minute += timedelta(minutes=1)
        return times


def parse(expression: str, timezone: str | None = None) -> Schedule:
    zone = ZoneInfo(timezone or "UTC")
    text = expression.strip()
    if text.startswith("at(") and text.endswith(")"):
        local = datetime.fromisoformat(text[3:-1]).replace(tzinfo=zone)
        return Schedule("at", zone, at=local.astimezone(UTC))
    if text.startswith("rate(") and text.endswith(")"):
        value, unit = text[5:-1].split()
        if unit not in _RATE_UNITS or int(value) < 1:
            raise UnsupportedExpression(f"bad rate expression {expression!r}")
        return Schedule("rate", zone, every=timedelta(seconds=int(value) * _RATE_UNITS[unit]))
    if text.startswith("cron(") and text.endswith(")"):
        fields = text[5:-1].split()
        if len(fields) != 6:
            raise UnsupportedExpression(f"cron needs six fields: {expression!r}")
        return Schedule("cron", zone, cron=Cron(*fields))
    raise UnsupportedExpression(f"unknown schedule expression {expression!r}")
