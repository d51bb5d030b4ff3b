"""Each step form on the detail page: success (one change record), refusal with the
error code shown next to the form, and 404 for an order out of the actor's scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gongzhi.audit.models import ChangeRecord
from gongzhi.work_orders import actions
from gongzhi.work_orders.choices import ExtensionStatus, Status
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.tests import factories

pytestmark = pytest.mark.django_db

CW, DH, SO, R = "community_worker_c1", "department_handler", "street_official_s1", "resident_c1"


def accepted(w):
    return actions.accept_work_order(factories.submitted(w), actor=w.community_worker_c1)


def held(w):
    return actions.set_on_hold(factories.submitted(w), actor=w.community_worker_c1, on_hold=True, reason="等待")


def extension_requested(w):
    return actions.request_extension(factories.signed(w), actor=w.department_handler, days=2, reason="等材料")


def rated_dissatisfied(w):
    order = factories.replied(w)
    actions.rate_work_order(order, actor=w.resident_c1, satisfaction="dissatisfied", resolved=False)
    return order


def rated_satisfied(w):
    order = factories.replied(w)
    actions.rate_work_order(order, actor=w.resident_c1, satisfaction="satisfied", resolved=True)
    return order


def supervised(w):
    return actions.supervise_work_order(factories.dispatched(w), actor=w.street_official_s1, level=2)


def hb(w):
    return w.orgs["housing_bureau"].pk


Setup = Callable[[Any], WorkOrder]
Body = Callable[[Any, WorkOrder], dict[str, Any]]

# verb, actor, setup, body, check on the fresh order
SUCCESS: list[tuple[str, str, Setup, Body, Callable[[WorkOrder], bool]]] = [
    ("accept", CW, factories.submitted, lambda w, o: {"accept-note": "受理"}, lambda o: o.status == Status.ACCEPTED),
    (
        "reject",
        CW,
        factories.submitted,
        lambda w, o: {"reject-reason": "不属于社区事务"},
        lambda o: o.status == Status.REJECTED,
    ),
    ("dispatch", CW, accepted, lambda w, o: {"dispatch-to": hb(w)}, lambda o: o.status == Status.DISPATCHED),
    ("sign", DH, factories.dispatched, lambda w, o: {}, lambda o: o.status == Status.SIGNED),
    (
        "return",
        DH,
        factories.dispatched,
        lambda w, o: {"return-reason": "非本单位职责"},
        lambda o: o.status == Status.RETURNED,
    ),
    (
        "contact",
        DH,
        factories.signed,
        lambda w, o: {"contact-note": "已电话联系"},
        lambda o: o.first_contact_at is not None,
    ),
    ("start", DH, factories.signed, lambda w, o: {}, lambda o: o.status == Status.IN_PROGRESS),
    ("reply", DH, factories.signed, lambda w, o: {"reply-text": "已更换灯泡"}, lambda o: o.status == Status.REPLIED),
    (
        "request_extension",
        DH,
        factories.signed,
        lambda w, o: {"request_extension-days": "2", "request_extension-reason": "等材料"},
        lambda o: o.extension_status == ExtensionStatus.REQUESTED,
    ),
    (
        "decide_extension",
        CW,
        extension_requested,
        lambda w, o: {"decide_extension-approve": "1"},
        lambda o: o.extension_status == ExtensionStatus.APPROVED,
    ),
    (
        "follow_up",
        CW,
        factories.replied,
        lambda w, o: {"follow_up-resolved": "1"},
        lambda o: o.followed_up_at is not None,
    ),
    ("close", CW, factories.replied, lambda w, o: {}, lambda o: o.status == Status.CLOSED),
    (
        "reopen",
        CW,
        factories.replied,
        lambda w, o: {"reopen-reason": "仍未修好"},
        lambda o: o.status == Status.REOPENED,
    ),
    (
        "review",
        CW,
        rated_dissatisfied,
        lambda w, o: {"review-uphold": "1", "review-note": "居民反映属实"},
        lambda o: o.status == Status.REOPENED,
    ),
    (
        "transfer",
        CW,
        factories.dispatched,
        lambda w, o: {"transfer-to": w.orgs["property_c1"].pk, "transfer-reason": "物业负责"},
        lambda o: o.lead_organisation.code == "ORG-P1",
    ),
    ("supervise", SO, factories.dispatched, lambda w, o: {"supervise-level": "2"}, lambda o: o.supervision_level == 2),
    (
        "hold",
        CW,
        factories.submitted,
        lambda w, o: {"hold-on_hold": "1", "hold-reason": "等待法院"},
        lambda o: o.on_hold,
    ),
    ("hold", CW, held, lambda w, o: {"hold-on_hold": "0"}, lambda o: not o.on_hold),
    (
        "merge",
        CW,
        factories.submitted,
        lambda w, o: {"merge-master": factories.submitted(w).number},
        lambda o: o.status == Status.MERGED,
    ),
    (
        "rate",
        R,
        factories.replied,
        lambda w, o: {"rate-satisfaction": "satisfied", "rate-resolved": "1", "rate-comment": "很快"},
        lambda o: o.rated_at is not None and not o.review_pending,
    ),
]

# verb, actor, setup, body, expected code
REFUSED: list[tuple[str, str, Setup, Body, str]] = [
    ("accept", CW, factories.dispatched, lambda w, o: {}, "illegal_transition"),
    ("reject", CW, factories.dispatched, lambda w, o: {"reject-reason": "x"}, "illegal_transition"),
    ("dispatch", CW, held, lambda w, o: {"dispatch-to": hb(w)}, "on_hold"),
    ("sign", DH, factories.signed, lambda w, o: {}, "illegal_transition"),
    ("return", DH, factories.signed, lambda w, o: {"return-reason": "x"}, "already_signed"),
    ("contact", DH, factories.dispatched, lambda w, o: {}, "illegal_transition"),
    ("start", DH, factories.dispatched, lambda w, o: {}, "illegal_transition"),
    ("reply", DH, factories.dispatched, lambda w, o: {"reply-text": "x"}, "illegal_transition"),
    (
        "request_extension",
        DH,
        factories.dispatched,
        lambda w, o: {"request_extension-days": "2", "request_extension-reason": "x"},
        "extension_not_allowed",
    ),
    (
        "decide_extension",
        CW,
        factories.signed,
        lambda w, o: {"decide_extension-approve": "1"},
        "no_extension_requested",
    ),
    ("follow_up", CW, factories.signed, lambda w, o: {"follow_up-resolved": "1"}, "illegal_transition"),
    ("close", CW, factories.signed, lambda w, o: {}, "illegal_transition"),
    ("reopen", CW, factories.signed, lambda w, o: {"reopen-reason": "x"}, "illegal_transition"),
    ("review", CW, factories.replied, lambda w, o: {"review-uphold": "0"}, "no_review_pending"),
    (
        "transfer",
        CW,
        accepted,
        lambda w, o: {"transfer-to": w.orgs["property_c1"].pk, "transfer-reason": "x"},
        "illegal_transition",
    ),
    ("supervise", SO, supervised, lambda w, o: {"supervise-level": "1"}, "supervision_not_higher"),
    ("hold", CW, held, lambda w, o: {"hold-on_hold": "1", "hold-reason": "again"}, "illegal_transition"),
    ("merge", CW, factories.submitted, lambda w, o: {"merge-master": o.number}, "merge_into_self"),
    (
        "rate",
        R,
        rated_satisfied,
        lambda w, o: {"rate-satisfaction": "satisfied", "rate-resolved": "1"},
        "already_rated",
    ),
]

# verb, actor who cannot see the order, setup
OUT_OF_SCOPE: list[tuple[str, str, Setup]] = [
    ("accept", "community_worker_c3", factories.submitted),
    ("reject", "street_official_s2", factories.submitted),
    ("dispatch", "community_worker_c3", accepted),
    ("sign", "property_staff_c1", factories.dispatched),
    ("return", "police_liaison", factories.dispatched),
    ("contact", "property_staff_c1", factories.signed),
    ("start", "property_staff_c1", factories.signed),
    ("reply", "property_staff_c1", factories.signed),
    ("request_extension", "property_staff_c1", factories.signed),
    ("decide_extension", "community_worker_c3", extension_requested),
    ("follow_up", "community_worker_c3", factories.replied),
    ("close", "street_official_s2", factories.replied),
    ("reopen", "community_worker_c3", factories.replied),
    ("review", "community_worker_c3", rated_dissatisfied),
    ("transfer", "community_worker_c3", factories.dispatched),
    ("supervise", "street_official_s2", factories.dispatched),
    ("hold", "community_worker_c3", factories.submitted),
    ("merge", "community_worker_c3", factories.submitted),
    ("rate", "resident_c3", factories.replied),
]


def _url(order: WorkOrder, verb: str) -> str:
    return f"/work-orders/{order.pk}/act/{verb}/"


@pytest.mark.parametrize(
    ("verb", "actor", "setup", "body", "ok"), SUCCESS, ids=[f"{c[0]}-{i}" for i, c in enumerate(SUCCESS)]
)
def test_step_succeeds_with_one_change_record(world, client_for, verb, actor, setup, body, ok):
    # given
    order = setup(world)
    data = body(world, order)
    before = ChangeRecord.objects.count()
    # when
    response = client_for(actor).post(_url(order, verb), data)
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/work-orders/{order.pk}/"
    assert ChangeRecord.objects.count() - before == 1
    assert ok(WorkOrder.objects.get(pk=order.pk))


@pytest.mark.parametrize(("verb", "actor", "setup", "body", "code"), REFUSED, ids=[c[0] for c in REFUSED])
def test_step_refused_shows_the_code_next_to_its_form(world, client_for, verb, actor, setup, body, code):
    # given
    order = setup(world)
    data = body(world, order)
    before = ChangeRecord.objects.count()
    # when
    response = client_for(actor).post(_url(order, verb), data)
    # then
    html = response.content.decode()
    assert response.status_code in (400, 409)
    form_html = html.split(f'data-testid="form-{verb}"')[1].split("</form>")[0]
    assert f'data-error-code="{code}"' in form_html
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize(("verb", "actor", "setup"), OUT_OF_SCOPE, ids=[c[0] for c in OUT_OF_SCOPE])
def test_step_on_an_order_out_of_scope_is_404(world, client_for, verb, actor, setup):
    order = setup(world)
    before = ChangeRecord.objects.count()
    response = client_for(actor).post(_url(order, verb), {})
    assert response.status_code == 404
    assert ChangeRecord.objects.count() == before


def test_missing_reason_is_a_field_error_not_a_500(world, client_for):
    order = factories.submitted(world)
    response = client_for(CW).post(_url(order, "reject"), {"reject-reason": ""})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).status == Status.SUBMITTED


def test_a_step_the_actor_holds_no_role_for_is_403(world, client_for):
    order = factories.submitted(world)
    assert client_for(R).post(_url(order, "accept"), {}).status_code == 403
    assert client_for(CW).post(_url(order, "nonsense"), {}).status_code == 404
    assert client_for(CW).get(_url(order, "accept")).status_code == 405


def test_the_page_offers_only_the_steps_the_policy_allows(world, client_for):
    order = factories.dispatched(world)
    handler = client_for(DH).get(f"/work-orders/{order.pk}/").content.decode()
    assert 'data-step="sign"' in handler
    assert 'data-step="return"' in handler
    assert 'data-step="accept"' not in handler
    assert 'data-step="close"' not in handler
    resident = client_for(R).get(f"/work-orders/{order.pk}/").content.decode()
    assert "data-step=" not in resident


def test_the_detail_page_has_a_bounded_query_count(world, client_for, django_assert_max_num_queries):
    order = factories.replied(world)
    for actor in (CW, DH, R, SO):
        with django_assert_max_num_queries(60):
            assert client_for(actor).get(f"/work-orders/{order.pk}/").status_code == 200
