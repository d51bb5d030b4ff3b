"""Survey pages: answer form, results (public after closing), scoping (404) and exports."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from gongzhi.participation.surveys import actions
from gongzhi.participation.surveys.models import Response
from gongzhi.participation.surveys.tests import factories as f


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_resident_answers_through_the_form(world):
    s = f.survey(world)
    q1, q2, q3, q4 = s.questions.order_by("position")
    client = _client(world.resident_c1)
    page = client.get(f"/participation/surveys/{s.pk}/")
    assert page.status_code == 200
    assert b'data-testid="answer-form"' in page.content
    response = client.post(
        f"/participation/surveys/{s.pk}/respond/",
        {f"q{q1.pk}": "1", f"q{q2.pk}": ["0", "2"], f"q{q3.pk}": "3", f"q{q4.pk}": "<script>alert(1)</script>"},
    )
    assert response.status_code == 302
    assert Response.objects.filter(survey=s).count() == 1
    again = client.get(f"/participation/surveys/{s.pk}/")
    assert b'data-testid="responded"' in again.content


def test_out_of_scope_is_404_and_drafts_are_hidden(world):
    s = f.survey(world)
    draft = f.survey(world, open_=False)
    assert _client(world.resident_c3).get(f"/participation/surveys/{s.pk}/").status_code == 404
    assert _client(world.resident_c1).get(f"/participation/surveys/{draft.pk}/").status_code == 404
    assert _client(world.community_worker_c1).get(f"/participation/surveys/{draft.pk}/").status_code == 200


def test_results_public_after_closing_without_login(world):
    s = f.survey(world, anonymous=False)
    actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s, text="<b>hi</b>"))
    assert _client().get(f"/participation/surveys/{s.pk}/results/").status_code == 404
    assert _client(world.resident_c1).get(f"/participation/surveys/{s.pk}/results/").status_code == 403
    actions.close_survey(s, actor=world.community_worker_c1)
    public = _client().get(f"/participation/surveys/{s.pk}/results/")
    assert public.status_code == 200
    assert "<b>hi</b>" not in public.content.decode()  # free text is for staff only, escaped there
    staff = _client(world.community_worker_c1).get(f"/participation/surveys/{s.pk}/results/?breakdown=age_group")
    assert staff.status_code == 200
    assert b"&lt;b&gt;hi&lt;/b&gt;" in staff.content
    assert b'data-testid="suppressed"' in staff.content
    assert _client().get("/participation/surveys/public/").status_code == 200


def test_exports_csv_and_xlsx(world):
    s = f.survey(world, anonymous=False, title="=HYPERLINK(1)")
    actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s))
    actions.close_survey(s, actor=world.community_worker_c1)
    client = _client(world.community_worker_c1)
    csv = client.get(f"/participation/surveys/{s.pk}/export.csv")
    assert csv.status_code == 200
    assert csv.content.startswith("\ufeff".encode())
    xlsx = client.get(f"/participation/surveys/{s.pk}/export.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) == 4
    assert _client(world.resident_c1).get(f"/participation/surveys/{s.pk}/export.csv").status_code == 403


def test_staff_create_add_question_and_open(world):
    client = _client(world.community_worker_c1)
    response = client.post(
        "/participation/surveys/new/", {"title": "停车位意向", "area": world.c1.pk, "anonymous": "on"}
    )
    assert response.status_code == 302
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    client.post(
        f"/participation/surveys/{pk}/act/question/",
        {"text": "是否需要?", "kind": "single", "options": "需要\n不需要", "required": "on"},
    )
    client.post(f"/participation/surveys/{pk}/act/open/")
    page = client.get(f"/participation/surveys/{pk}/")
    assert b'data-testid="close-survey"' in page.content
    assert _client(world.resident_c1).post(f"/participation/surveys/{pk}/act/close/").status_code == 403


def test_staff_form_targets_tags_roles_and_ages(world):
    from gongzhi.participation.surveys.models import Survey

    client = _client(world.community_worker_c1)
    form = client.get("/participation/surveys/new/").content.decode()
    assert 'data-testid="survey-target"' in form
    assert 'value="elderly_alone"' in form
    response = client.post(
        "/participation/surveys/new/",
        {
            "title": "独居老人助餐需求",
            "area": world.c1.pk,
            "target_tags": ["elderly_alone", "empty_nest"],
            "target_roles": ["resident"],
            "target_min_age": "60",
            "target_max_age": "",
        },
    )
    assert response.status_code == 302
    survey = Survey.objects.get(title="独居老人助餐需求")
    assert survey.target_tags == ["elderly_alone", "empty_nest"]
    assert survey.target_roles == ["resident"]
    assert (survey.target_min_age, survey.target_max_age) == (60, None)
    page = client.get(f"/participation/surveys/{survey.pk}/").content.decode()
    assert 'data-testid="survey-target-summary"' in page


@pytest.mark.parametrize(
    "bad",
    [
        {"target_tags": ["not_a_tag"]},
        {"target_roles": ["system_admin<script>"]},
        {"target_min_age": "70", "target_max_age": "60"},
        {"target_min_age": "-1"},
        {"target_max_age": "abc"},
    ],
)
def test_staff_form_rejects_a_bad_target_group(world, bad):
    from gongzhi.participation.surveys.models import Survey

    client = _client(world.community_worker_c1)
    response = client.post("/participation/surveys/new/", {"title": "坏目标", "area": world.c1.pk, **bad})
    assert response.status_code == 200
    assert 'data-error-code="bad_target"' in response.content.decode()
    assert not Survey.objects.filter(title="坏目标").exists()


def test_api_rejects_a_bad_target_group(world, client_for):
    client = client_for("community_worker_c1")
    body = {"title": "坏目标", "area": world.c1.pk, "target_tags": ["elderly_alone", "nope"]}
    response = client.post("/api/participation/surveys/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_target"


def test_staff_answer_for_a_resident_without_a_phone(world):
    s = f.survey(world)
    q1, q2, q3, q4 = s.questions.order_by("position")
    answers = {f"q{q1.pk}": "1", f"q{q2.pk}": ["0"], f"q{q3.pk}": "3", f"q{q4.pk}": "代填"}
    url = f"/participation/surveys/{s.pk}/respond/"
    staff = _client(world.grid_worker_g1)
    page = staff.get(f"/participation/surveys/{s.pk}/").content.decode()
    assert 'data-testid="assist"' in page
    assert 'data-testid="answer-form"' in page
    resident = _client(world.resident_c1)
    assert 'data-testid="assist"' not in resident.get(f"/participation/surveys/{s.pk}/").content.decode()
    # a resident cannot answer for another
    assert resident.post(url, {**answers, "resident_phone": world.resident_c1.phone}).status_code == 403
    # an unknown number records nothing
    assert staff.post(url, {**answers, "resident_phone": "13000000000"}).status_code == 302
    assert not Response.objects.filter(survey=s).exists()

    assert staff.post(url, {**answers, "resident_phone": world.resident_c1.phone}).status_code == 302
    assert Response.objects.filter(survey=s).count() == 1
    assert b'data-testid="responded"' in resident.get(f"/participation/surveys/{s.pk}/").content
    staff.post(url, {**answers, "resident_phone": world.resident_c1.phone})  # once per resident
    assert Response.objects.filter(survey=s).count() == 1
