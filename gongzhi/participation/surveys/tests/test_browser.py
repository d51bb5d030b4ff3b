"""Browser test: a survey answered on a phone (with its conditional question) and its
results after closing, with the local ECharts chart; guards from the shell's browser tests."""

from __future__ import annotations

import re

import pytest

from gongzhi.participation.surveys.models import Response, Survey
from gongzhi.participation.surveys.tests import factories as f
from gongzhi.web.tests import test_browser as shell
from gongzhi.web.tests.test_browser import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = shell.browser
open_session = shell.open_session
world_live = shell.world_live


def test_survey_answered_closed_and_results(world_live, open_session):
    w = world_live
    survey = f.survey(w, anonymous=False, title="加装电梯意向调查")
    q1, q2, q3, q4 = survey.questions.order_by("position")

    resident = open_session(viewport=PHONE)
    resident.resident_login(w.resident_c1.phone)
    page = resident.page
    page.goto("/participation/surveys/")
    with page.expect_navigation():
        page.locator(f"[data-survey-id='{survey.pk}']").click()
    form = page.get_by_test_id("answer-form")
    # the reasons question is hidden until "反对" is chosen
    assert form.locator(f"[data-question='{q2.pk}']").is_hidden()
    form.locator(f"input[name=q{q1.pk}][value='1']").check()
    assert form.locator(f"[data-question='{q2.pk}']").is_visible()
    form.locator(f"input[name=q{q2.pk}][value='0']").check()
    form.locator(f"input[name=q{q2.pk}][value='2']").check()
    form.locator(f"input[name=q{q3.pk}][value='4']").check()
    form.locator(f"textarea[name=q{q4.pk}]").fill("希望尽快公示费用分摊方案")
    resident.shot("survey-answer-phone-zh")
    with page.expect_navigation():
        page.get_by_test_id("submit-answers").click()
    assert page.get_by_test_id("responded").is_visible()
    assert Response.objects.filter(survey=survey).count() == 1
    resident.check()

    worker = open_session(viewport=DESKTOP)
    worker.staff_login("community_worker_c1")
    worker.page.goto(f"/participation/surveys/{survey.pk}/")
    with worker.page.expect_navigation():
        worker.page.get_by_test_id("close-survey").click()
    assert Survey.objects.get(pk=survey.pk).status == "closed"
    with worker.page.expect_navigation():
        worker.page.get_by_test_id("results-link").click()
    assert re.search(r"/results/$", worker.page.url)
    assert worker.page.get_by_test_id("count-1-1").inner_text() == "1"
    assert worker.page.get_by_test_id("mean-3").inner_text() == "4.0"
    worker.page.wait_for_selector(".sv-chart--on svg")
    worker.shot("survey-results-desktop-zh")
    worker.page.get_by_test_id("breakdown-area").click()
    worker.page.wait_for_selector("[data-testid=suppressed]")
    worker.check()

    # the resident sees the published results too
    page.goto(f"/participation/surveys/{survey.pk}/results/")
    assert page.get_by_test_id("results-responses").inner_text().startswith("1")
    resident.shot("survey-results-phone-zh")
    resident.check()
