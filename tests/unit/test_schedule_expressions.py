"""The local platform's reading of EventBridge schedule expressions."""

from datetime import UTC, datetime, timedelta

import pytest

from local.schedule_expressions import UnsupportedExpression, parse


def _utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_at_fires_once_at_its_local_time():
    # 09:00 in Vienna on 1 July is 07:00 UTC (summer time)
    schedule = parse("at(2026-07-01T09:00:00)", "Europe/Vienna")
    assert schedule.due_between(_utc(2026, 7, 1, 6, 59), _utc(2026, 7, 1, 7, 0), _utc(2026, 1, 1)) == [
        _utc(2026, 7, 1, 7, 0)
    ]
    assert schedule.due_between(_utc(2026, 7, 1, 7, 0), _utc(2026, 7, 1, 8, 0), _utc(2026, 1, 1)) == []


def test_rate_counts_from_its_anchor():
    schedule = parse("rate(5 minutes)")
    anchor = _utc(2026, 1, 1, 0, 0, 30)
    due = schedule.due_between(anchor, anchor + timedelta(minutes=16), anchor)
    assert due == [anchor + timedelta(minutes=5), anchor + timedelta(minutes=10), anchor + timedelta(minutes=15)]


def test_cron_in_a_time_zone_follows_daylight_saving():
    # Every weekday at 08:30 in Vienna: 07:30 UTC in winter, 06:30 UTC in summer
    schedule = parse("cron(30 8 ? * MON-FRI *)", "Europe/Vienna")
    winter = schedule.due_between(_utc(2026, 1, 5, 0, 0), _utc(2026, 1, 5, 23, 59), _utc(2026, 1, 1))
    summer = schedule.due_between(_utc(2026, 7, 6, 0, 0), _utc(2026, 7, 6, 23, 59), _utc(2026, 1, 1))
    weekend = schedule.due_between(_utc(2026, 7, 4, 0, 0), _utc(2026, 7, 5, 23, 59), _utc(2026, 1, 1))
    assert winter == [_utc(2026, 1, 5, 7, 30)]
    assert summer == [_utc(2026, 7, 6, 6, 30)]
    assert weekend == []


@pytest.mark.parametrize(
    ("expression", "moment", "fires"),
    [
        ("cron(0 10 L * ? *)", _utc(2026, 2, 28, 10, 0), True),
        ("cron(0 10 L * ? *)", _utc(2026, 2, 27, 10, 0), False),
        ("cron(0 9 ? * 2#1 *)", _utc(2026, 3, 2, 9, 0), True),  # first Monday of March 2026
        ("cron(0 9 ? * 2#1 *)", _utc(2026, 3, 9, 9, 0), False),
        ("cron(0/15 * * * ? *)", _utc(2026, 3, 9, 9, 45), True),
        ("cron(0/15 * * * ? *)", _utc(2026, 3, 9, 9, 50), False),
        ("cron(0 12 1 JAN,JUL ? 2026)", _utc(2026, 7, 1, 12, 0), True),
        ("cron(0 12 1 JAN,JUL ? 2027)", _utc(2026, 7, 1, 12, 0), False),
    ],
)
def test_cron_fields(expression, moment, fires):
    schedule = parse(expression)
    due = schedule.due_between(moment - timedelta(minutes=1), moment, moment)
    assert (due == [moment]) is fires


@pytest.mark.parametrize("expression", ["every(5 minutes)", "rate(0 minutes)", "cron(0 12 * *)", "rate(5 weeks)"])
def test_unknown_expressions_are_refused(expression):
    with pytest.raises(UnsupportedExpression):
        parse(expression)
