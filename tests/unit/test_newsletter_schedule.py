"""Newsletter times: offsets and IANA zones, daylight saving time, the past and the far future, crons."""

from datetime import UTC, datetime

import pytest
from bizline.rules.newsletter_schedule import (
    ScheduleProblem,
    one_time,
    recurring,
    run_id_for,
    send_id,
)

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def test_a_local_time_in_vienna_is_scheduled_in_vienna_and_summer_time_is_applied():
    # Given 09:00 in Vienna on the day after the spring-forward night (UTC+2 from then on)
    expression = one_time(datetime(2027, 3, 29, 9, 0), "Europe/Vienna", NOW)
    # Then Scheduler gets the wall-clock time and the zone, and the moment is 07:00 UTC
    assert (expression.expression, expression.timezone) == ("at(2027-03-29T09:00:00)", "Europe/Vienna")
    assert expression.first_at == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)


def test_0230_on_the_spring_forward_night_in_vienna_is_refused_because_it_never_happens():
    # Given 02:30 on 28 March 2027 in Vienna (clocks jump from 02:00 to 03:00)
    # When it is scheduled: refused, naming the gap
    with pytest.raises(ScheduleProblem, match="does not exist in Europe/Vienna") as problem:
        one_time(datetime(2027, 3, 28, 2, 30), "Europe/Vienna", NOW)
    assert problem.value.field == "send_at"
    # And 01:59 and 03:00 that night are fine (UTC+1, then UTC+2)
    assert one_time(datetime(2027, 3, 28, 1, 59), "Europe/Vienna", NOW).first_at == datetime(
        2027, 3, 28, 0, 59, tzinfo=UTC
    )
    assert one_time(datetime(2027, 3, 28, 3, 0), "Europe/Vienna", NOW).first_at == datetime(
        2027, 3, 28, 1, 0, tzinfo=UTC
    )


def test_0230_on_the_autumn_night_is_its_first_occurrence_scheduled_in_utc():
    # Given 02:30 on 31 October 2027 in Vienna, which happens twice
    expression = one_time(datetime(2027, 10, 31, 2, 30), "Europe/Vienna", NOW)
    # Then it is the first (summer time, UTC+2), given to Scheduler in UTC so it fires once
    assert (expression.expression, expression.timezone) == ("at(2027-10-31T00:30:00)", "UTC")


def test_an_offset_is_taken_as_it_is():
    expression = one_time(datetime.fromisoformat("2027-03-28T09:00:00+02:00"), None, NOW)
    assert (expression.expression, expression.timezone) == ("at(2027-03-28T07:00:00)", "UTC")


@pytest.mark.parametrize(
    ("send_at", "timezone", "message"),
    [
        (datetime(2027, 3, 1, 11, 0, tzinfo=UTC), None, "past"),
        (datetime(2027, 3, 1, 12, 0, 2, tzinfo=UTC), None, "past"),
        (datetime(2028, 3, 2, 12, 0, tzinfo=UTC), None, "year"),
        (datetime(2027, 3, 2, 12, 0), None, "offset"),
        (datetime(2027, 3, 2, 12, 0), "Mars/Olympus", "IANA"),
        (datetime(2027, 3, 2, 12, 0, tzinfo=UTC), "Europe/Vienna", "leave"),
    ],
)
def test_past_far_naive_or_unknown_zone_times_are_refused(send_at, timezone, message):
    with pytest.raises(ScheduleProblem, match=message):
        one_time(send_at, timezone, NOW)


def test_a_recurring_cron_is_evaluated_in_its_zone():
    expression = recurring("cron(0 9 ? * MON *)", "Europe/Vienna")
    assert (expression.expression, expression.timezone, expression.one_time) == (
        "cron(0 9 ? * MON *)",
        "Europe/Vienna",
        False,
    )
    assert recurring("0 9 ? * MON *", "UTC").expression == "cron(0 9 ? * MON *)"


@pytest.mark.parametrize("cron", ["0 9 * * MON", "0 9 * * MON *", "* 9 ? * MON *", "0/5 9 ? * MON *"])
def test_crons_that_are_not_eventbridges_or_fire_every_minute_are_refused(cron):
    with pytest.raises(ScheduleProblem):
        recurring(cron, "Europe/Vienna")


def test_a_repeated_invocation_of_one_firing_is_the_same_run_and_the_same_send_ids():
    run = run_id_for("2027-03-29T07:00:00Z", "run_x")
    assert run == run_id_for("2027-03-29T07:00:00Z", "run_y") == "run_20270329T070000Z"
    assert run_id_for("<aws.scheduler.scheduled-time>", "run_now") == "run_now"
    assert send_id("b", "n", run, "c1") == send_id("b", "n", run, "c1") != send_id("b", "n", run, "c2")
