"""Meeting reminders: invitees of a planned meeting are reminded once, within the configured
time before it starts; repeated and concurrent runs remind nobody twice."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.audit.models import ChangeRecord
from gongzhi.notifications.models import Notification
from gongzhi.participation.meetings import actions, tasks
from gongzhi.participation.meetings.errors import MeetingError
from gongzhi.participation.meetings.models import Meeting
from gongzhi.participation.meetings.tests.factories import meeting as make_meeting
from gongzhi.testing.concurrency import run_at_once

REMINDER = "participation_meetings.reminder"


def _planned(world, hours: float, **kwargs) -> Meeting:
    m = make_meeting(world, start=False, **kwargs)
    Meeting.objects.filter(pk=m.pk).update(starts_at=timezone.now() + dt.timedelta(hours=hours))
    actions.invite(m, actor=world.community_worker_c1, users=[world.resident_c1, world.community_worker_c1])
    return Meeting.objects.get(pk=m.pk)


@pytest.mark.django_db
def test_invitees_are_reminded_once_before_the_meeting(world, settings):
    settings.GONGZHI_MEETING_REMINDER_HOURS = 24
    soon = _planned(world, 5, title="明晚居民议事会")
    later = _planned(world, 72, title="下周业主大会筹备会")
    assert tasks.remind_invitees() == 2
    got = Notification.objects.filter(kind=REMINDER)
    assert sorted(got.values_list("recipient_id", flat=True)) == sorted(
        [world.resident_c1.pk, world.community_worker_c1.pk]
    )
    assert all("明晚居民议事会" in n.title for n in got)
    assert Meeting.objects.get(pk=soon.pk).reminded_at is not None
    assert Meeting.objects.get(pk=later.pk).reminded_at is None
    assert ChangeRecord.objects.filter(verb="remind", target_id=str(soon.pk)).count() == 1
    assert tasks.remind_invitees() == 0  # a second run reminds nobody again
    assert Notification.objects.filter(kind=REMINDER).count() == 2
    # Two days later the next meeting comes into the window.
    assert tasks.remind_invitees(now=timezone.now() + dt.timedelta(hours=50)) == 2


@pytest.mark.django_db
def test_started_past_and_closed_meetings_are_not_reminded(world):
    running = _planned(world, 2)
    actions.start_meeting(running, actor=world.community_worker_c1)
    _planned(world, -1)  # already started time, never started by staff
    assert tasks.remind_invitees() == 0
    assert not Notification.objects.filter(kind=REMINDER).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_remind_exactly_once():
    from gongzhi.testing.world import build_world

    world = build_world()
    planned = _planned(world, 3)

    def run() -> int | str:
        try:
            return actions.remind_invitees(planned)
        except MeetingError as err:
            return str(err.code)

    counts = run_at_once([run] * 4)
    assert sorted(counts, key=str) == [2, "already_reminded", "already_reminded", "already_reminded"]
    assert Notification.objects.filter(kind=REMINDER).count() == 2
