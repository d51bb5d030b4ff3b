import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.audit.models import ChangeRecord
from gongzhi.ledger.models import PendingEvent
from gongzhi.participation.surveys import actions, tally
from gongzhi.participation.surveys.choices import QuestionKind, ResponseUnit, SurveyStatus
from gongzhi.participation.surveys.errors import SurveyError, SurveyErrorCode
from gongzhi.participation.surveys.models import Answer, Response, Survey
from gongzhi.participation.surveys.tests import factories as f

E = SurveyErrorCode


def test_create_needs_add_over_the_area(world):
    with pytest.raises(SurveyError) as err:
        actions.create_survey(actor=world.community_worker_c1, area=world.c3, title="x")
    assert err.value.code == E.AREA_NOT_ALLOWED
    with pytest.raises(SurveyError):
        actions.create_survey(actor=world.resident_c1, area=world.c1, title="x")


def test_open_needs_questions_and_each_action_writes_one_record(world):
    s = actions.create_survey(actor=world.community_worker_c1, area=world.c1, title=f.HOSTILE)
    with pytest.raises(SurveyError) as err:
        actions.open_survey(s, actor=world.community_worker_c1)
    assert err.value.code == E.NO_QUESTIONS
    before = ChangeRecord.objects.count()
    actions.add_question(s, actor=world.community_worker_c1, kind="single", text="是否?", options=["是", "否"])
    actions.open_survey(s, actor=world.community_worker_c1)
    assert ChangeRecord.objects.count() == before + 2
    with pytest.raises(SurveyError) as err:
        actions.add_question(s, actor=world.community_worker_c1, kind="text", text="late")
    assert err.value.code == E.ILLEGAL_TRANSITION


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "single", "text": "a", "options": ["only one"]}, "options"),
        ({"kind": "single", "text": "  ", "options": ["a", "b"]}, "text"),
        ({"kind": "multiple", "text": "a", "options": ["a", "a"]}, "options"),
        ({"kind": "matrix", "text": "a", "options": ["a", "b"]}, "rows"),
        ({"kind": "scale", "text": "a", "scale_min": 5, "scale_max": 5}, "scale_max"),
        ({"kind": "multiple", "text": "a", "options": ["a", "b"], "max_choices": 3}, "max_choices"),
    ],
)
def test_bad_questions_are_refused(world, kwargs, field):
    s = actions.create_survey(actor=world.community_worker_c1, area=world.c1, title="t")
    with pytest.raises(SurveyError) as err:
        actions.add_question(s, actor=world.community_worker_c1, **kwargs)
    assert err.value.code == E.BAD_QUESTION
    assert err.value.field == field


def test_answer_once_and_conditional_question(world):
    s = f.survey(world)
    # the reasons question is hidden unless the answer is "反对": answering it anyway is ignored
    actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s, choice=0, reasons=[0]))
    assert Answer.objects.filter(survey=s, question__position=2).count() == 0
    with pytest.raises(SurveyError) as err:
        actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s))
    assert err.value.code == E.ALREADY_RESPONDED
    assert Survey.objects.get(pk=s.pk).response_count == 1


def test_conditional_question_required_when_shown(world):
    s = f.survey(world)
    with pytest.raises(SurveyError) as err:
        actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s, choice=1))
    assert err.value.code == E.ANSWER_REQUIRED
    actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s, choice=1, reasons=[0, 2]))
    assert sorted(Answer.objects.filter(survey=s, question__position=2).values_list("option", flat=True)) == [0, 2]


@pytest.mark.parametrize(
    "bad",
    [
        {"choice": 9},
        {"choice": "x"},
        {"choice": True},
        {"choice": [0, 1]},
        {"scale": 6},
        {"scale": "<script>"},
        {"text": "长" * 2001},
    ],
)
def test_hostile_answers_are_refused(world, bad):
    s = f.survey(world)
    base = f.answers(s, **{k: v for k, v in bad.items() if k in {"choice", "scale", "text"}})
    with pytest.raises(SurveyError) as err:
        actions.submit_response(s, actor=world.resident_c1, answers=base)
    assert err.value.code == E.INVALID_ANSWER
    assert not Response.objects.filter(survey=s).exists()


def test_unknown_question_ids_and_other_surveys_questions_are_refused(world):
    s = f.survey(world)
    other = f.survey(world, title="另一份")
    answers = f.answers(s)
    answers[other.questions.first().pk] = 0
    with pytest.raises(SurveyError) as err:
        actions.submit_response(s, actor=world.resident_c1, answers=answers)
    assert err.value.code == E.INVALID_ANSWER


def test_eligibility_by_area_state_and_time(world):
    s = f.survey(world)
    for actor in (world.resident_c3, world.community_worker_c1):
        with pytest.raises(SurveyError) as err:
            actions.submit_response(s, actor=actor, answers=f.answers(s))
        assert err.value.code == E.NOT_ELIGIBLE
    later = f.survey(world, opens_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(SurveyError) as err:
        actions.submit_response(later, actor=world.resident_c1, answers=f.answers(later))
    assert err.value.code == E.NOT_OPEN
    draft = f.survey(world, open_=False)
    with pytest.raises(SurveyError) as err:
        actions.submit_response(draft, actor=world.resident_c1, answers=f.answers(draft))
    assert err.value.code == E.NOT_OPEN


def test_targeting_by_tag_age_and_verification(world):
    young = f.resident(world, "young", born=dt.date(2000, 1, 1))
    old = f.resident(world, "old", born=dt.date(1940, 1, 1))
    s = f.survey(world, target_min_age=60, requires_verified=True)
    with pytest.raises(SurveyError) as err:
        actions.submit_response(s, actor=young, answers=f.answers(s))
    assert err.value.code == E.NOT_ELIGIBLE
    with pytest.raises(SurveyError) as err:  # resident_c1 has no register entry: not verified
        actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s))
    assert err.value.code == E.NOT_VERIFIED
    actions.submit_response(s, actor=old, answers=f.answers(s))
    tagged = f.survey(world, title="独居老人", target_tags=["elderly_alone"])
    with pytest.raises(SurveyError) as err:
        actions.submit_response(tagged, actor=old, answers=f.answers(tagged))
    assert err.value.code == E.NOT_ELIGIBLE


def test_target_roles_lets_grid_workers_answer(world):
    s = f.survey(world, target_roles=["grid_worker"])
    actions.submit_response(s, actor=world.grid_worker_g1, answers=f.answers(s))
    with pytest.raises(SurveyError):
        actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s))


def test_per_household_one_response(world):
    a = f.resident(world, "mum")
    b = f.resident(world, "dad", household=a.household)
    s = f.survey(world, unit=ResponseUnit.HOUSEHOLD)
    actions.submit_response(s, actor=a, answers=f.answers(s))
    with pytest.raises(SurveyError) as err:
        actions.submit_response(s, actor=b, answers=f.answers(s))
    assert err.value.code == E.ALREADY_RESPONDED
    with pytest.raises(SurveyError) as err:  # no household on the register
        actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s))
    assert err.value.code == E.NO_HOUSEHOLD


def test_anonymous_response_holds_no_link_and_only_the_day(world):
    s = f.survey(world)
    actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s, text="楼道灯坏了"))
    response = Response.objects.get(survey=s)
    assert response.respondent_id is None
    assert response.household_id is None
    assert response.entered_by_id is None
    assert not hasattr(response, "created_at")
    assert response.submitted_on == timezone.localdate()
    assert world.resident_c1.username not in response.token
    assert len(response.token) == 64
    # The audit record names the survey, never the response
    record = ChangeRecord.objects.filter(verb="respond").latest("id")
    assert record.target_id == str(s.pk)
    assert str(response.pk) not in str(record.after)


def test_anonymous_constraint_refuses_a_link(world):
    from django.db import IntegrityError, transaction

    s = f.survey(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=s, token="x", submitted_on=timezone.localdate(), respondent=world.resident_c1)


def test_named_survey_and_staff_proxy(world):
    s = f.survey(world, anonymous=False)
    actions.submit_response(s, actor=world.grid_worker_g1, answers=f.answers(s), on_behalf_of=world.resident_c1)
    response = Response.objects.get(survey=s)
    assert response.respondent == world.resident_c1
    assert response.entered_by == world.grid_worker_g1
    assert response.via_proxy
    with pytest.raises(SurveyError) as err:  # no assist grant over C3
        actions.submit_response(
            s, actor=world.community_worker_c3, answers=f.answers(s), on_behalf_of=world.resident_c1
        )
    assert err.value.code == E.NOT_ELIGIBLE


def test_file_and_matrix_and_ranking_questions(world):
    s = actions.create_survey(actor=world.community_worker_c1, area=world.c1, title="综合")
    m = actions.add_question(
        s,
        actor=world.community_worker_c1,
        kind=QuestionKind.MATRIX,
        text="评价",
        rows=["保洁", "安保"],
        options=["好", "差"],
    )
    r = actions.add_question(
        s, actor=world.community_worker_c1, kind=QuestionKind.RANKING, text="排序", options=["停车", "绿化", "电梯"]
    )
    up = actions.add_question(s, actor=world.community_worker_c1, kind=QuestionKind.FILE, text="照片", required=False)
    actions.open_survey(s, actor=world.community_worker_c1)
    photo = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    actions.submit_response(s, actor=world.resident_c1, answers={m.pk: {"0": 0, "1": 1}, r.pk: [2, 0, 1], up.pk: photo})
    result = tally.results(Survey.objects.get(pk=s.pk), live_snapshot=False)
    by_id = {q["id"]: q for q in result["questions"]}
    assert [o["count"] for o in by_id[m.pk]["rows"][1]["options"]] == [0, 1]
    assert by_id[r.pk]["options"][0]["label"] == "电梯"
    assert by_id[r.pk]["options"][0]["mean_rank"] == 1
    assert Answer.objects.get(question=up).file.name
    with pytest.raises(SurveyError) as err:  # matrix missing a row
        actions.submit_response(s, actor=f.resident(world, "p2"), answers={m.pk: {"0": 0}, r.pk: [0]})
    assert err.value.code == E.ANSWER_REQUIRED


def test_close_tallies_onto_the_ledger(world):
    s = f.survey(world)
    actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s, choice=2, scale=5))
    before = PendingEvent.objects.count()
    actions.close_survey(s, actor=world.community_worker_c1)
    event = PendingEvent.objects.order_by("-id").first()
    assert PendingEvent.objects.count() == before + 1
    assert '"kind":"survey"' in event.data
    assert "resident_c1" not in event.data
    assert Survey.objects.get(pk=s.pk).status == SurveyStatus.CLOSED
    with pytest.raises(SurveyError):
        actions.submit_response(s, actor=f.resident(world, "late"), answers=f.answers(s))


def test_reminder_notifies_those_who_have_not_answered(world):
    from gongzhi.notifications.models import Notification

    s = f.survey(world)
    answered = f.resident(world, "answered")
    pending = f.resident(world, "pending")
    actions.submit_response(s, actor=answered, answers=f.answers(s))
    assert actions.remind_survey(s, actor=world.community_worker_c1) == 2  # pending + resident_c1
    notified = set(
        Notification.objects.filter(kind="participation_surveys.reminder").values_list("recipient_id", flat=True)
    )
    assert notified == {pending.pk, world.resident_c1.pk}
