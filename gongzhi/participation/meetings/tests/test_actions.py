from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.audit.models import ChangeRecord
from gongzhi.ledger.models import PendingEvent
from gongzhi.participation.meetings import actions, signin
from gongzhi.participation.meetings.choices import OwnersVoteStatus, ResolutionStatus
from gongzhi.participation.meetings.errors import MeetingError, MeetingErrorCode
from gongzhi.participation.meetings.models import Attendance, Meeting, OwnerBallot
from gongzhi.participation.meetings.tests import factories as f
from gongzhi.territory.models import Room

E = MeetingErrorCode


def test_qr_sign_in_quorum_and_resolution_passes(world):
    m = f.meeting(world, quorum=2)
    actions.invite(m, actor=world.community_worker_c1, users=[world.resident_c1, world.grid_worker_g1])
    token = signin.make_token(m.pk)
    actions.check_in(m, actor=world.resident_c1, token=token)
    with pytest.raises(MeetingError) as err:
        actions.check_in(m, actor=world.resident_c1, token=token)
    assert err.value.code == E.ALREADY_SIGNED_IN
    r = actions.propose_resolution(m, actor=world.community_worker_c1, title="同意加装电梯")
    with pytest.raises(MeetingError) as err:
        actions.open_resolution_vote(r, actor=world.community_worker_c1)
    assert err.value.code == E.QUORUM_NOT_REACHED
    actions.record_attendance(m, actor=world.community_worker_c1, user=world.grid_worker_g1, proxy_name="王五")
    r = actions.open_resolution_vote(r, actor=world.community_worker_c1)
    actions.cast_resolution_vote(r, actor=world.resident_c1, choice="for")
    with pytest.raises(MeetingError) as err:
        actions.cast_resolution_vote(r, actor=world.resident_c1, choice="against")
    assert err.value.code == E.ALREADY_VOTED
    actions.enter_resolution_vote(r, actor=world.community_worker_c1, voter=world.grid_worker_g1, choice="for")
    before = PendingEvent.objects.count()
    r = actions.decide_resolution(r, actor=world.community_worker_c1)
    assert (r.status, r.votes_for, r.present) == (ResolutionStatus.PASSED, 2, 2)
    # the decision with its tally, and the tracked result it became (accountability)
    assert PendingEvent.objects.count() == before + 2
    assert '"kind":"resolution"' in PendingEvent.objects.order_by("id")[before].data


def test_half_is_not_a_majority(world):
    m = f.meeting(world, quorum=2)
    actions.record_attendance(m, actor=world.community_worker_c1, user=world.resident_c1)
    actions.record_attendance(m, actor=world.community_worker_c1, user=world.grid_worker_g1, method="paper")
    r = actions.open_resolution_vote(
        actions.propose_resolution(m, actor=world.community_worker_c1, title="x"), actor=world.community_worker_c1
    )
    actions.cast_resolution_vote(r, actor=world.resident_c1, choice="for")
    actions.enter_resolution_vote(r, actor=world.community_worker_c1, voter=world.grid_worker_g1, choice="abstain")
    assert actions.decide_resolution(r, actor=world.community_worker_c1).status == ResolutionStatus.REJECTED


def test_bad_and_foreign_tokens_and_uninvited(world):
    m = f.meeting(world)
    other = f.meeting(world, title="另一个会")
    actions.invite(m, actor=world.community_worker_c1, users=[world.grid_worker_g1])
    for token in ("garbage<script>", signin.make_token(other.pk)):
        with pytest.raises(MeetingError) as err:
            actions.check_in(m, actor=world.resident_c1, token=token)
        assert err.value.code == E.BAD_TOKEN
    with pytest.raises(MeetingError) as err:
        actions.check_in(m, actor=world.resident_c1, token=signin.make_token(m.pk))
    assert err.value.code == E.NOT_INVITED
    assert signin.meeting_of(signin.make_token(m.pk), max_age=-1) is None  # expired


def test_only_attendees_vote_and_staff_cannot_enter_online(world):
    m = f.meeting(world)
    actions.record_attendance(m, actor=world.community_worker_c1, user=world.grid_worker_g1)
    r = actions.open_resolution_vote(
        actions.propose_resolution(m, actor=world.community_worker_c1, title="x"), actor=world.community_worker_c1
    )
    with pytest.raises(MeetingError) as err:
        actions.cast_resolution_vote(r, actor=world.resident_c1, choice="for")
    assert err.value.code == E.NOT_PRESENT
    with pytest.raises(MeetingError) as err:
        actions.enter_resolution_vote(
            r, actor=world.community_worker_c1, voter=world.grid_worker_g1, choice="for", method="online"
        )
    assert err.value.code == E.BAD_METHOD


def test_offline_meeting_recorded_after_the_fact_with_minutes_and_attachment(world):
    m = f.meeting(world, is_offline_record=True)
    actions.record_attendance(m, actor=world.community_worker_c1, user=world.resident_c1, method="paper")
    pdf = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    actions.add_attachment(m, actor=world.community_worker_c1, title="签到表", file=pdf)
    m = actions.close_meeting(m, actor=world.community_worker_c1, minutes="会议纪要<script>x</script>")
    assert m.minutes_published_at is not None
    assert m.attachments.count() == 1
    assert Attendance.objects.get(meeting=m).method == "paper"


def test_conveners_are_bound_to_their_area(world):
    with pytest.raises(MeetingError) as err:
        f.meeting(world, area=world.c3)
    assert err.value.code == E.AREA_NOT_ALLOWED


# --- owners' votes ------------------------------------------------------------------------------


def _vote(world, matter, areas):
    owners = f.estate(world, areas)
    vote = actions.create_owners_vote(actor=world.community_worker_c1, estate=world.c1, title="选聘物业", matter=matter)
    vote = actions.open_owners_vote(vote, actor=world.community_worker_c1)
    return vote, owners


def _users(owners):
    from django.contrib.auth import get_user_model

    return {o.pk: get_user_model().objects.get(pk=o.user_id) for o in owners}


def test_owners_vote_reaches_thresholds_exactly(world):
    # 9 owners x 100 m², plus the world's room 502 (no owner): 6 participate (exactly 2/3), 4 for (> 1/2)
    vote, owners = _vote(world, "manager", ["100.00"] * 9)
    assert (vote.total_owners, vote.total_area) == (9, Decimal("900.00"))
    users = _users(owners)
    for i, owner in enumerate(owners[:5]):
        actions.cast_owner_ballot(vote, actor=users[owner.pk], choice="for" if i < 4 else "against")
    actions.enter_owner_ballot(
        vote,
        actor=world.community_worker_c1,
        owner=owners[5],
        choice="abstain",
        method="proxy",
        evidence="授权委托书",
        proxy_name="代理人",
    )
    before = ChangeRecord.objects.count()
    vote = actions.close_owners_vote(vote, actor=world.community_worker_c1)
    assert ChangeRecord.objects.count() == before + 1
    assert (vote.participating_owners, vote.participating_area, vote.for_owners) == (6, Decimal("600.00"), 4)
    assert vote.participation_met
    assert vote.majority_met
    assert vote.status == OwnersVoteStatus.PASSED


def test_owners_vote_fails_one_short_of_participation(world):
    vote, owners = _vote(world, "manager", ["100.00"] * 9)
    users = _users(owners)
    for owner in owners[:5]:
        actions.cast_owner_ballot(vote, actor=users[owner.pk], choice="for")
    vote = actions.close_owners_vote(vote, actor=world.community_worker_c1)
    assert not vote.participation_met
    assert vote.majority_met
    assert vote.status == OwnersVoteStatus.FAILED


def test_special_matter_weighted_by_area(world):
    # 4 owners: 300 + 100 + 100 + 100 m², all vote; 3 heads of 4 (= 3/4) and 500 of 600 m² (> 3/4) are for
    vote, owners = _vote(world, "rebuild", ["300.00", "100.00", "100.00", "100.00"])
    users = _users(owners)
    for owner, choice in zip(owners, ["for", "for", "for", "against"], strict=True):
        actions.cast_owner_ballot(vote, actor=users[owner.pk], choice=choice)
    vote = actions.close_owners_vote(vote, actor=world.community_worker_c1)
    assert vote.for_area == Decimal("500.00")
    assert vote.for_owners == 3
    assert vote.status == OwnersVoteStatus.PASSED


def test_one_vote_per_owner_and_roll_rules(world):
    vote, owners = _vote(world, "statute", ["90.50", "120.25"])
    users = _users(owners)
    actions.cast_owner_ballot(vote, actor=users[owners[0].pk], choice="for")
    with pytest.raises(MeetingError) as err:
        actions.enter_owner_ballot(
            vote,
            actor=world.community_worker_c1,
            owner=owners[0],
            choice="against",
            method="written",
            evidence="书面表决票",
        )
    assert err.value.code == E.ALREADY_VOTED
    with pytest.raises(MeetingError) as err:
        actions.enter_owner_ballot(
            vote, actor=world.community_worker_c1, owner=owners[1], choice="for", method="written", evidence="  "
        )
    assert err.value.code == E.EVIDENCE_REQUIRED
    with pytest.raises(MeetingError) as err:
        actions.cast_owner_ballot(vote, actor=world.resident_c1, choice="for")
    assert err.value.code == E.NOT_AN_OWNER
    assert OwnerBallot.objects.get(owner=owners[0]).floor_area == Decimal("90.50")
    taken = owners[0].ownerships.first().room
    with pytest.raises(MeetingError) as err:
        actions.register_owner(
            actor=world.community_worker_c1, estate=world.c1, name="重复", rooms=[taken], evidence="购房合同"
        )
    assert err.value.code == E.ROOM_ALREADY_OWNED
    with pytest.raises(MeetingError) as err:
        actions.register_owner(
            actor=world.community_worker_c1, estate=world.c3, name="外区", rooms=[taken], evidence="x"
        )
    assert err.value.code == E.AREA_NOT_ALLOWED


def test_room_without_floor_area_cannot_join_the_roll(world):
    room = Room.objects.create(unit=world.room_g1.unit, number="503")
    with pytest.raises(MeetingError) as err:
        actions.register_owner(
            actor=world.community_worker_c1, estate=world.c1, name="张三", rooms=[room], evidence="产权证"
        )
    assert err.value.code == E.MISSING_FLOOR_AREA
    assert Meeting.objects.count() == 0


def test_invitations_are_notified_once(world):
    from gongzhi.notifications.models import Notification

    m = f.meeting(world, start=False)
    assert actions.invite(m, actor=world.community_worker_c1, users=[world.resident_c1, world.grid_worker_g1]) == 2
    assert actions.invite(m, actor=world.community_worker_c1, users=[world.resident_c1]) == 0
    kinds = Notification.objects.filter(kind="participation_meetings.invitation")
    assert sorted(kinds.values_list("recipient_id", flat=True)) == sorted(
        [world.resident_c1.pk, world.grid_worker_g1.pk]
    )


def test_passed_resolutions_and_votes_become_tracked_results(world):
    from gongzhi.participation.accountability.models import Result

    m = f.meeting(world)
    actions.record_attendance(m, actor=world.community_worker_c1, user=world.resident_c1)
    r = actions.open_resolution_vote(
        actions.propose_resolution(m, actor=world.community_worker_c1, title="更换小区路灯"),
        actor=world.community_worker_c1,
    )
    actions.cast_resolution_vote(r, actor=world.resident_c1, choice="for")
    actions.decide_resolution(r, actor=world.community_worker_c1)
    assert Result.objects.filter(title="更换小区路灯", area=world.c1).count() == 1
    vote, owners = _vote(world, "manager", ["100.00"] * 3)
    users = _users(owners)
    for owner in owners[:2]:
        actions.cast_owner_ballot(vote, actor=users[owner.pk], choice="for")
    actions.close_owners_vote(vote, actor=world.community_worker_c1)
    tracked = Result.objects.get(title="选聘物业")
    assert tracked.source_url == f"/participation/meetings/votes/{vote.pk}/"
