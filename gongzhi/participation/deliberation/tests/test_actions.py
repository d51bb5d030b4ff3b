import datetime as dt

import pytest

from gongzhi.audit.models import ChangeRecord
from gongzhi.ledger.models import PendingEvent
from gongzhi.participation.accountability.models import Result
from gongzhi.participation.deliberation import actions
from gongzhi.participation.deliberation.choices import (
    AmendmentStatus,
    ContentStatus,
    Phase,
    ProposalStatus,
    ReportStatus,
    StepKind,
)
from gongzhi.participation.deliberation.errors import DeliberationError
from gongzhi.participation.deliberation.errors import DeliberationErrorCode as E
from gongzhi.participation.deliberation.models import ModerationEntry, Proposal, Support
from gongzhi.participation.deliberation.tests import factories
from gongzhi.work_orders.models import WorkOrder


def raises(code, call, *args, **kwargs):
    with pytest.raises(DeliberationError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code
    return exc.value


# --- processes and 四议两公开 ---------------------------------------------------------------


def test_four_two_steps_in_order_and_gate_the_phases(world):
    proc = factories.four_two(world)
    steps = {s.kind: s for s in proc.steps.all()}
    assert list(steps) == list(StepKind)
    cw = world.community_worker_c1
    raises(E.STEP_OUT_OF_ORDER, actions.complete_step, steps[StepKind.COMMITTEES_DELIBERATE], actor=cw)
    actions.complete_step(steps[StepKind.PARTY_PROPOSES], actor=cw, note="党支部提议加装电梯")
    actions.advance_phase(proc, actor=cw)  # collect → deliberate
    raises(E.STEPS_OPEN, actions.advance_phase, proc, actor=cw)
    actions.complete_step(steps[StepKind.COMMITTEES_DELIBERATE], actor=cw)
    raises(E.STEP_DONE, actions.complete_step, steps[StepKind.COMMITTEES_DELIBERATE], actor=cw)
    actions.complete_step(steps[StepKind.MEMBERS_REVIEW], actor=cw)
    raises(E.WRONG_PHASE, actions.complete_step, steps[StepKind.RESIDENTS_RESOLVE], actor=cw)
    proc.refresh_from_db()
    assert proc.phase == Phase.DELIBERATE
    actions.advance_phase(proc, actor=cw)  # → decide
    raises(E.STEPS_OPEN, actions.advance_phase, proc, actor=cw)
    events = PendingEvent.objects.count()
    actions.complete_step(steps[StepKind.RESIDENTS_RESOLVE], actor=cw, note="居民会议表决通过")
    actions.complete_step(steps[StepKind.PUBLISH_RESOLUTION], actor=cw)
    assert PendingEvent.objects.count() == events + 2
    actions.advance_phase(proc, actor=cw)  # → implement
    actions.complete_step(steps[StepKind.PUBLISH_RESULTS], actor=cw)
    actions.advance_phase(proc, actor=cw)  # → evaluate
    raises(E.LAST_PHASE, actions.advance_phase, proc, actor=cw)
    assert [c.to_phase for c in proc.phase_changes.all()] == [
        Phase.DELIBERATE,
        Phase.DECIDE,
        Phase.IMPLEMENT,
        Phase.EVALUATE,
    ]


def test_process_only_in_the_staff_area(world):
    raises(E.AREA_NOT_ALLOWED, factories.process, world, by="community_worker_c1", area=world.c3)
    raises(E.AREA_NOT_ALLOWED, factories.process, world, by="resident_c1")
    raises(E.AREA_NOT_ALLOWED, factories.process, world, by="community_worker_c1", building=world.building_g4)
    proc = factories.process(world, by="street_official_s1", area=world.s1)
    raises(E.AREA_NOT_ALLOWED, actions.advance_phase, proc, actor=world.community_worker_c3)


# --- proposals, support, threshold, answers ---------------------------------------------------


def test_eligibility_by_area(world):
    c1 = factories.process(world)
    street = factories.process(world, by="street_official_s1", area=world.s1)
    c3 = factories.process(world, by="community_worker_c3", area=world.c3)
    factories.proposal(world, c1)
    factories.proposal(world, street, title="街道层面")
    raises(E.NOT_ELIGIBLE, factories.proposal, world, c3)
    raises(E.NOT_ELIGIBLE, factories.proposal, world, c1, by="resident_c3")
    raises(E.NOT_ELIGIBLE, factories.proposal, world, c1, by="community_worker_c1")


def test_building_process_needs_a_household_there_and_verified_needs_the_register(world):
    building = factories.process(world, building=world.building_g1, title="3栋议事")
    raises(E.NOT_ELIGIBLE, factories.proposal, world, building)
    verified = factories.process(world, requires_verified=True, title="实名议事")
    raises(E.VERIFICATION_REQUIRED, factories.proposal, world, verified)


def test_support_threshold_moves_to_official_consideration(world):
    proc = factories.process(world, support_threshold=3)
    proposal = factories.proposal(world, proc, title=factories.HOSTILE_TITLE)
    raises(E.OWN_PROPOSAL, actions.support_proposal, proposal, actor=world.resident_c1)
    people = factories.neighbours(world, 3)
    actions.support_proposal(proposal, actor=people[0])
    raises(E.ALREADY_SUPPORTED, actions.support_proposal, proposal, actor=people[0])
    actions.support_proposal(proposal, actor=people[1])
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PUBLISHED
    events = PendingEvent.objects.count()
    actions.support_proposal(proposal, actor=people[2])
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONSIDERATION
    assert proposal.support_count == 3
    assert proposal.threshold_reached_at is not None
    assert PendingEvent.objects.count() == events + 1
    raises(E.NOT_ELIGIBLE, actions.support_proposal, proposal, actor=world.resident_c3)


def test_support_losing_the_race_hits_the_constraint(world):
    proposal = factories.proposal(world)
    (neighbour,) = factories.neighbours(world, 1)
    Support.objects.create(proposal=proposal, user=neighbour)  # the concurrent winner
    raises(E.ALREADY_SUPPORTED, actions.support_proposal, proposal, actor=neighbour)
    assert Proposal.objects.get(pk=proposal.pk).support_count == 0


def test_proxy_support_by_grid_worker_is_recorded(world):
    proposal = factories.proposal(world)
    (neighbour,) = factories.neighbours(world, 1)
    support = actions.support_proposal(proposal, actor=world.grid_worker_g1, on_behalf_of=neighbour)
    assert support.user == neighbour
    assert support.entered_by == world.grid_worker_g1
    c3 = factories.process(world, by="community_worker_c3", area=world.c3)
    raises(E.PROXY_NOT_ALLOWED, factories.proposal, world, c3, by="grid_worker_g1", on_behalf_of=world.resident_c3)


def test_accepted_proposal_becomes_a_tracked_result(world):
    proposal = factories.proposal(world)
    events = PendingEvent.objects.count()
    records = ChangeRecord.objects.count()
    actions.answer_proposal(
        proposal,
        actor=world.community_worker_c1,
        outcome="accepted",
        text="同意, 由物业负责实施",
        responsible_unit=world.orgs["property_c1"],
        deadline=dt.date(2027, 6, 30),
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    result = Result.objects.get(pk=proposal.result_id)
    assert result.source_id == proposal.pk
    assert result.source_url == proposal.get_absolute_url()
    assert result.responsible_unit == world.orgs["property_c1"]
    assert PendingEvent.objects.count() == events + 2  # result tracked + answer
    assert ChangeRecord.objects.count() == records + 1
    assert proposal.answer_unit == "科技园社区居委会"
    raises(E.NOT_OPEN, actions.answer_proposal, proposal, actor=world.community_worker_c1, outcome="rejected", text="x")


def test_rejection_needs_a_reason_and_merging_a_target(world):
    proc = factories.process(world)
    first, second = factories.proposal(world, proc), factories.proposal(world, proc, title="另一提议")
    cw = world.community_worker_c1
    raises(E.REASON_REQUIRED, actions.answer_proposal, first, actor=cw, outcome="rejected", text="  ")
    raises(
        E.MERGE_TARGET_INVALID,
        actions.answer_proposal,
        first,
        actor=cw,
        outcome="merged",
        text="合并",
        merge_into=first,
    )
    actions.answer_proposal(first, actor=cw, outcome="merged", text="与另一提议合并", merge_into=second)
    assert Proposal.objects.get(pk=first.pk).merged_into == second
    raises(
        E.AREA_NOT_ALLOWED,
        actions.answer_proposal,
        second,
        actor=world.community_worker_c3,
        outcome="rejected",
        text="x",
    )


def test_proposal_turned_into_a_work_order(world):
    proposal = factories.proposal(world)
    actions.answer_proposal(proposal, actor=world.community_worker_c1, outcome="work_order", text="转工单处理")
    proposal.refresh_from_db()
    order = WorkOrder.objects.get(pk=proposal.work_order_id)
    assert proposal.status == ProposalStatus.WORK_ORDER
    assert order.submitter == world.resident_c1
    assert order.area == world.c1


def test_proposals_only_while_collecting(world):
    proc = factories.process(world)
    actions.advance_phase(proc, actor=world.community_worker_c1)
    raises(E.WRONG_PHASE, factories.proposal, world, proc)


@pytest.mark.parametrize(("title", "body", "code"), [("", "x", E.TEXT_REQUIRED), ("x", "长" * 6001, E.TEXT_TOO_LONG)])
def test_proposal_text_is_checked(world, title, body, code):
    raises(code, factories.proposal, world, title=title, body=body)


# --- comments, amendments, debates --------------------------------------------------------------


def test_comments_with_replies_and_official_replies(world):
    proposal = factories.proposal(world)
    (neighbour,) = factories.neighbours(world, 1)
    first = actions.add_comment(proposal, actor=neighbour, body="赞成 👍 <b>bold</b>")
    reply = actions.add_comment(proposal, actor=world.resident_c1, body="谢谢", parent=first)
    official = actions.add_comment(proposal, actor=world.community_worker_c1, body="居委会已收到")
    assert reply.parent == first
    assert official.author_unit == "科技园社区居委会"
    other = factories.proposal(world, title="其他")
    raises(E.REPLY_ELSEWHERE, actions.add_comment, other, actor=neighbour, body="x", parent=first)
    raises(E.AREA_NOT_ALLOWED, actions.add_comment, proposal, actor=world.community_worker_c3, body="x")
    assert Proposal.objects.get(pk=proposal.pk).comment_count == 3


def test_amendments_are_decided_by_the_author(world):
    proposal = factories.proposal(world)
    (neighbour,) = factories.neighbours(world, 1)
    raises(E.OWN_PROPOSAL, actions.propose_amendment, proposal, actor=world.resident_c1, body="x")
    amendment = actions.propose_amendment(proposal, actor=neighbour, body="充电棚加装烟感报警器")
    raises(E.NOT_AUTHOR, actions.decide_amendment, amendment, actor=neighbour, accept=True)
    raises(E.REASON_REQUIRED, actions.decide_amendment, amendment, actor=world.resident_c1, accept=False)
    actions.decide_amendment(amendment, actor=world.resident_c1, accept=True)
    assert "烟感报警器" in Proposal.objects.get(pk=proposal.pk).body
    raises(E.AMENDMENT_DECIDED, actions.decide_amendment, amendment, actor=world.resident_c1, accept=True)


def test_debate_positions_and_conclusion(world):
    debate = factories.debate(world)
    people = factories.neighbours(world, 3)
    actions.add_comment(debate, actor=people[0], body="停车更急需", position="for")
    actions.add_comment(debate, actor=people[1], body="绿地不能少", position="against")
    actions.add_comment(debate, actor=people[2], body="可以做生态停车位", position="for")
    events = PendingEvent.objects.count()
    raises(E.TEXT_REQUIRED, actions.close_debate, debate, actor=world.community_worker_c1, conclusion="")
    actions.close_debate(debate, actor=world.community_worker_c1, conclusion="改建生态停车位, 保留绿化")
    debate.refresh_from_db()
    assert (debate.for_count, debate.against_count, debate.comment_count) == (2, 1, 3)
    assert PendingEvent.objects.count() == events + 1
    raises(E.DEBATE_CLOSED, actions.add_comment, debate, actor=people[0], body="再说一句")


# --- moderation ---------------------------------------------------------------------------------


def test_sensitive_words_hold_for_review_never_drop(world):
    actions.add_sensitive_word(actor=world.system_admin, word="赌博")
    raises(E.WORD_EXISTS, actions.add_sensitive_word, actor=world.system_admin, word="赌博")
    proposal = factories.proposal(world, body="小区里有人聚众 赌 - 博, 请处理")
    assert proposal.status == ProposalStatus.HELD
    entry = ModerationEntry.objects.get(target_id=proposal.pk, action="held")
    assert entry.matched == ["赌博"]
    clean = factories.proposal(world, title="干净")
    comment = actions.add_comment(clean, actor=world.resident_c1, body="赌博")
    assert comment.status == ContentStatus.HELD
    assert Proposal.objects.get(pk=clean.pk).comment_count == 0
    actions.approve_content(comment, actor=world.community_worker_c1)
    assert Proposal.objects.get(pk=clean.pk).comment_count == 1
    raises(E.NOT_HELD, actions.approve_content, comment, actor=world.community_worker_c1)
    actions.hide_content(proposal, actor=world.community_worker_c1, reason="违法内容")
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.REMOVED
    raises(E.AREA_NOT_ALLOWED, actions.approve_content, comment, actor=world.community_worker_c3)


def test_reports_hide_unhide_and_dismiss(world):
    proposal = factories.proposal(world)
    (neighbour,) = factories.neighbours(world, 1)
    report = actions.report_content(proposal, actor=neighbour, reason="广告")
    raises(E.ALREADY_REPORTED, actions.report_content, proposal, actor=neighbour, reason="广告")
    raises(E.NOT_ELIGIBLE, actions.report_content, proposal, actor=world.no_grant, reason="x")
    raises(E.REASON_REQUIRED, actions.hide_content, proposal, actor=world.community_worker_c1, reason="")
    actions.hide_content(proposal, actor=world.community_worker_c1, reason="商业广告")
    report.refresh_from_db()
    assert report.status == ReportStatus.UPHELD
    raises(E.ALREADY_HIDDEN, actions.hide_content, proposal, actor=world.community_worker_c1, reason="x")
    raises(E.NOT_OPEN, actions.support_proposal, proposal, actor=neighbour)
    actions.unhide_content(proposal, actor=world.community_worker_c1, reason="误判")
    raises(E.NOT_HIDDEN, actions.unhide_content, proposal, actor=world.community_worker_c1)
    second = actions.report_content(proposal, actor=world.resident_c1, reason="再举报")
    actions.dismiss_report(second, actor=world.community_worker_c1, reason="无问题")
    raises(E.REPORT_CLOSED, actions.dismiss_report, second, actor=world.community_worker_c1)
    assert list(ModerationEntry.objects.filter(target_id=proposal.pk).values_list("action", flat=True)) == [
        "report_dismissed",
        "unhidden",
        "hidden",
    ]


def test_amendment_held_then_removed(world):
    actions.add_sensitive_word(actor=world.street_official_s1, word="代开发票")
    proposal = factories.proposal(world)
    (neighbour,) = factories.neighbours(world, 1)
    amendment = actions.propose_amendment(proposal, actor=neighbour, body="代开发票 联系我")
    assert amendment.status == AmendmentStatus.HELD
    actions.hide_content(amendment, actor=world.community_worker_c1, reason="广告")
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.REMOVED


def test_rate_limit_against_spam(world, settings):
    settings.GONGZHI_PARTICIPATION_RATE_LIMITS = {"comment": (2, 600), "proposal": (2, 3600)}
    proc = factories.process(world)
    factories.proposal(world, proc, title="一")
    proposal = factories.proposal(world, proc, title="二")
    error = raises(E.RATE_LIMITED, factories.proposal, world, proc, title="三")
    assert error.http_status == 429
    actions.add_comment(proposal, actor=world.resident_c1, body="1")
    actions.add_comment(proposal, actor=world.resident_c1, body="2")
    raises(E.RATE_LIMITED, actions.add_comment, proposal, actor=world.resident_c1, body="3")


def test_followers_are_notified_of_the_threshold_and_the_answer(world):
    from gongzhi.notifications.models import Notification

    proc = factories.process(world, support_threshold=1)
    proposal = factories.proposal(world, proc)
    (neighbour,) = factories.neighbours(world, 1)
    actions.follow_proposal(proposal, actor=world.resident_c3)
    actions.support_proposal(proposal, actor=neighbour)
    actions.answer_proposal(proposal, actor=world.community_worker_c1, outcome="rejected", text="理由")
    kinds = list(Notification.objects.filter(recipient=world.resident_c1).order_by("id").values_list("kind", flat=True))
    assert kinds == ["deliberation.proposal", "deliberation.proposal"]
    assert Notification.objects.filter(recipient=world.resident_c3).count() == 2
    reply = actions.add_comment(proposal, actor=neighbour, body="有道理")
    actions.add_comment(proposal, actor=world.resident_c1, body="谢谢", parent=reply)
    assert Notification.objects.filter(recipient=neighbour, kind="deliberation.reply").count() == 1


def test_proposal_put_on_a_meeting_agenda_links_both_ways(world):
    from gongzhi.participation.meetings.tests.factories import meeting as make_meeting

    proposal = factories.proposal(world)
    meeting = make_meeting(world, start=False)
    actions.answer_proposal(
        proposal, actor=world.community_worker_c1, outcome="agenda", text="提交下次居民议事会讨论", meeting=meeting
    )
    proposal.refresh_from_db()
    item = proposal.agenda_item
    assert proposal.status == ProposalStatus.AGENDA
    assert item.meeting == meeting
    assert item.title == proposal.title
    assert item.position == 1
    assert item.source_url == proposal.get_absolute_url()
    assert f"#{proposal.pk}" in item.source_label
    assert ChangeRecord.objects.filter(verb="add_agenda_item", target_id=str(item.pk)).exists()
    assert ChangeRecord.objects.filter(verb="answer", target_id=str(proposal.pk)).exists()


def test_agenda_answer_needs_a_planned_meeting_covering_the_proposal(world):
    from gongzhi.participation.meetings.tests.factories import meeting as make_meeting

    cw = world.community_worker_c1
    proposal = factories.proposal(world)
    raises(E.MEETING_INVALID, actions.answer_proposal, proposal, actor=cw, outcome="agenda", text="x")
    running = make_meeting(world, start=True)
    raises(E.MEETING_INVALID, actions.answer_proposal, proposal, actor=cw, outcome="agenda", text="x", meeting=running)
    narrower = make_meeting(world, start=False, area=world.g1)  # a grid inside the community: too narrow
    assert proposal.area_path == world.c1.path
    raises(E.MEETING_INVALID, actions.answer_proposal, proposal, actor=cw, outcome="agenda", text="x", meeting=narrower)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PUBLISHED
    assert proposal.agenda_item_id is None
