"""Actions of the text domain: model versions, intake analysis (suggestions, urgency alerts,
duplicates, auto-routing), hot spots and alerts — with real messages from the shared data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.audit.models import ChangeRecord
from gongzhi.text import actions, runtime, training
from gongzhi.text.choices import AlertKind, AlertState
from gongzhi.text.errors import TextError, TextErrorCode
from gongzhi.text.models import HotSpot, OrderInsight, TextAlert, TextModel
from gongzhi.text.tests import factories as tf
from gongzhi.text.tests import shared_data
from gongzhi.work_orders import actions as wo_actions
from gongzhi.work_orders.choices import Status
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.tests import factories


def _real(label: str, n: int = 0) -> dict[str, str]:
    return [r for r in shared_data.labelled() if r["label"] == label and r["title"]][n]


def test_register_and_activate_versions(world, small_classifier):
    first = tf.registered_model(small_classifier, actor=world.system_admin)
    second = tf.registered_model(small_classifier, actor=world.system_admin)
    assert (first.version, second.version) == (1, 2)
    assert list(TextModel.objects.filter(is_active=True).values_list("version", flat=True)) == [2]
    assert first.label_categories == {} or set(second.label_categories) == set(tf.CATEGORY_BY_LABEL)
    actions.activate_text_model(first, actor=world.system_admin)
    assert TextModel.objects.get(is_active=True).pk == first.pk
    assert ChangeRecord.objects.filter(verb="activate").count() == 1
    assert ChangeRecord.objects.filter(verb="train").latest("id").after.get("data") == "[redacted]"


def test_analyse_suggests_category_and_units_for_a_real_message(world, small_classifier):
    tf.registered_model(small_classifier)
    tf.duty(world, "环境保护", "housing_bureau")
    row = _real("环境保护", 3)
    order = factories.submitted(world, title=row["title"][:120], description=row["text"][:4000])
    insight = actions.analyse_order(order)
    assert insight.model_version == 1
    top = insight.suggestions[0]
    assert top["label"] == "环境保护"
    assert top["confidence"] > 0.3
    assert top["units"][0]["name"] == world.orgs["housing_bureau"].name
    assert insight.auto_routed is False  # off by default
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


def test_auto_routing_above_the_configured_confidence(world, small_classifier, settings):
    settings.GONGZHI_TEXT_AUTO_ROUTE_CONFIDENCE = 0.3
    tf.registered_model(small_classifier)
    tf.duty(world, "环境保护", "housing_bureau")
    row = _real("环境保护", 3)
    order = factories.submitted(world, title=row["title"][:120], description=row["text"][:4000])
    insight = actions.analyse_order(order)
    order.refresh_from_db()
    assert insight.auto_routed
    assert order.status == Status.DISPATCHED
    assert order.lead_organisation == world.orgs["housing_bureau"]
    # Re-analysing does not dispatch again.
    actions.analyse_order(order)
    order.refresh_from_db()
    assert order.dispatch_count == 1


def test_auto_routing_stays_off_below_the_threshold(world, small_classifier, settings):
    settings.GONGZHI_TEXT_AUTO_ROUTE_CONFIDENCE = 1.01
    tf.registered_model(small_classifier)
    tf.duty(world, "环境保护")
    row = _real("环境保护", 3)
    order = factories.submitted(world, title=row["title"][:120], description=row["text"][:4000])
    assert actions.analyse_order(order).auto_routed is False


def test_urgent_message_raises_one_alert_with_the_cue(world):
    order = factories.submitted(world, title="楼道有燃气味", description="三楼燃气管道泄漏，味道很大，老人小孩都在家")
    insight = actions.analyse_order(order)
    assert insight.urgent
    assert insight.cues[0]["cue"] == "gas_leak"
    actions.analyse_order(order)
    alerts = TextAlert.objects.filter(kind=AlertKind.URGENT, order=order)
    assert alerts.count() == 1
    assert alerts[0].area_path == order.area_path
    assert insight.suggestions == []  # no model yet: nothing to suggest, nothing fails


def test_intake_hook_analyses_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = factories.submitted(world, title="电梯困人", description="5栋电梯困人半小时了")
    insight = OrderInsight.objects.get(order=order)
    assert insight.urgent


def test_duplicates_of_an_open_order_nearby(world):
    rows = [r for r in shared_data.hotspot_rows() if "丽发新城" in r["title"] and "搅拌" in r["title"]]
    first = factories.submitted(world, title=rows[0]["title"], description=rows[0]["text"][:4000])
    factories.submitted(world, title="楼道灯不亮", description="3栋楼道灯坏了")
    other_street = factories.submitted(
        world, by="resident_c3", area=world.g4, title=rows[0]["title"], description=rows[0]["text"][:4000]
    )
    second = factories.submitted(world, title=rows[1]["title"], description=rows[1]["text"][:4000])
    insight = actions.analyse_order(second)
    found = [d["order"] for d in insight.duplicates]
    assert found[0] == first.pk
    assert other_street.pk not in found
    assert insight.duplicates[0]["number"] == first.number


def test_closed_orders_are_not_duplicate_candidates(world):
    first = factories.submitted(world, title="小区门口垃圾堆积", description="小区门口垃圾堆积一周无人清运，臭气熏天")
    WorkOrder.objects.filter(pk=first.pk).update(status=Status.CLOSED)
    second = factories.submitted(world, title="小区门口垃圾堆积", description="门口垃圾堆积无人清运")
    assert actions.analyse_order(second).duplicates == []


@pytest.mark.parametrize("text", tf.HOSTILE_TEXTS)
def test_analyse_hostile_orders(world, small_classifier, text):
    tf.registered_model(small_classifier)
    order = factories.submitted(world, title=(text or "空")[:120], description=(text or "空")[:4000])
    insight = actions.analyse_order(order)
    assert len(insight.suggestions) == 3


def test_refresh_hotspots_groups_real_complaints_and_alerts_once(world):
    rows = [r for r in shared_data.hotspot_rows() if "丽发新城" in r["title"] and "搅拌" in r["title"]][:6]
    residents = ["resident_c1", "grid_worker_g1"]
    orders = []
    for i, row in enumerate(rows):
        if residents[i % 2] == "grid_worker_g1":
            orders.append(
                factories.submitted(
                    world,
                    by="grid_worker_g1",
                    channel="phone",
                    contact_phone=f"1380000000{i}",
                    title=row["title"][:120],
                    description=row["text"][:4000],
                )
            )
        else:
            orders.append(factories.submitted(world, title=row["title"][:120], description=row["text"][:4000]))
    factories.submitted(world, title="楼道灯不亮", description="3栋1单元楼道灯坏了")
    run = actions.refresh_hotspots()
    assert run.groups >= 1
    assert run.new_groups >= 1
    spot = HotSpot.objects.get(is_current=True, members=orders[0])
    assert "丽发新城" in spot.label or "搅拌" in spot.label
    assert spot.area_path.startswith(world.c1.path)
    assert TextAlert.objects.filter(kind=AlertKind.HOTSPOT, hotspot=spot).count() == 1
    run2 = actions.refresh_hotspots()
    assert run2.new_groups == 0
    assert TextAlert.objects.filter(kind=AlertKind.HOTSPOT).count() == 1


def test_followers_count_as_public_attention_in_hot_spot_scores(world):
    rows = [r for r in shared_data.hotspot_rows() if "丽发新城" in r["title"] and "搅拌" in r["title"]][:6]
    orders = []
    for i, row in enumerate(rows):
        extra = {"by": "grid_worker_g1", "channel": "phone", "contact_phone": f"1380000000{i}"} if i % 2 else {}
        orders.append(
            factories.submitted(
                world, title=row["title"][:120], description=row["text"][:4000], is_public=True, **extra
            )
        )
    actions.refresh_hotspots()
    before = HotSpot.objects.get(is_current=True, members=orders[0]).score
    wo_actions.accept_work_order(orders[0], actor=world.community_worker_c1)  # now on the board
    wo_actions.follow_work_order(orders[0], actor=world.resident_c3)
    wo_actions.follow_work_order(orders[0], actor=world.street_official_s1)
    actions.refresh_hotspots()
    after = HotSpot.objects.get(is_current=True, members=orders[0]).score
    assert after > before


def test_acknowledge_twice_is_refused(world):
    order = factories.submitted(world, title="着火了", description="楼下着火了")
    actions.analyse_order(order)
    alert = TextAlert.objects.get(order=order)
    actions.acknowledge_alert(alert, actor=world.community_worker_c1)
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED
    assert alert.acknowledged_by == world.community_worker_c1
    with pytest.raises(TextError) as err:
        actions.acknowledge_alert(alert, actor=world.community_worker_c1)
    assert err.value.code == TextErrorCode.ALREADY_ACKNOWLEDGED


def test_retrain_from_closed_orders(world):
    cats = tf.categories()
    rows = shared_data.stratified(shared_data.labelled(), 6, offset=0)
    for row in rows:
        order = factories.submitted(
            world,
            title=(row["title"] or row["text"])[:120],
            description=row["text"][:4000],
            category=cats[row["label"]],
        )
        WorkOrder.objects.filter(pk=order.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    model = training.train_from_closed_orders(folds=2)
    assert model.n_train == len(rows)
    assert model.is_active
    assert model.metrics["activation"] == {"activated": True, "reason": "no_active_model"}
    assert set(model.label_categories) == {c.code for c in cats.values()}
    assert model.metrics["cross_validation"]["folds"] == 2
    assert runtime.active_model() is not None


def _closed_orders(world, per_label: int) -> None:
    cats = tf.categories()
    for row in shared_data.stratified(shared_data.labelled(), per_label, offset=0):
        title, body = (row["title"] or row["text"])[:120], row["text"][:4000]
        order = factories.submitted(world, title=title, description=body, category=cats[row["label"]])
        WorkOrder.objects.filter(pk=order.pk).update(status=Status.CLOSED, closed_at=timezone.now())


def _active_with_macro_f1(classifier, value: float) -> TextModel:
    tf.categories()
    report = {"cross_validation": {"folds": 5, "macro_f1_mean": value, "macro_f1_std": 0.01}}
    return actions.register_text_model(classifier, actor=None, source="csv", metrics=report)


def test_a_retrain_that_scores_lower_is_kept_but_not_activated(world, small_classifier):
    # given an active model whose cross-validated macro-F1 no retrain on a few orders can reach
    bootstrap = _active_with_macro_f1(small_classifier, 0.999)
    _closed_orders(world, 6)
    # when the nightly retrain runs
    model = training.train_from_closed_orders(folds=2)
    # then the new version is stored with its report, and the better model stays active
    assert not model.is_active
    assert TextModel.objects.get(is_active=True) == bootstrap
    decision = model.metrics["activation"]
    assert decision["reason"] == "lower_macro_f1"
    assert (decision["active_version"], decision["active_macro_f1"]) == (bootstrap.version, 0.999)
    assert decision["macro_f1"] == model.metrics["cross_validation"]["macro_f1_mean"] < 0.999
    # and staff can still activate it by hand
    actions.activate_text_model(model, actor=world.system_admin)
    assert TextModel.objects.get(is_active=True) == model


def test_a_retrain_that_scores_at_least_as_well_replaces_the_active_model(world, small_classifier):
    weak = _active_with_macro_f1(small_classifier, 0.05)
    _closed_orders(world, 6)
    model = training.train_from_closed_orders(folds=2)
    assert model.is_active
    assert model.metrics["activation"]["reason"] == "not_lower_macro_f1"
    weak.refresh_from_db()
    assert not weak.is_active


def _reopen_all_but(keep: int, label_code: str) -> None:
    """Leave only ``keep`` closed orders of the category ``label_code``."""
    orders = WorkOrder.objects.filter(status=Status.CLOSED, category__code=label_code).order_by("id")
    WorkOrder.objects.filter(pk__in=[o.pk for o in orders[keep:]]).update(status=Status.REPLIED)


def test_a_rare_category_is_left_out_of_the_evaluation_not_out_of_the_model(world, small_classifier):
    # given closed orders of seven categories, one of which has a single order
    _closed_orders(world, 6)
    rare = WorkOrder.objects.filter(status=Status.CLOSED).order_by("id").first().category
    _reopen_all_but(1, rare.code)
    # when the retrain runs
    model = training.train_from_closed_orders(folds=2)
    # then the cross-validation covers the six other categories and says what it left out,
    # while the model knows all seven
    report = model.metrics["cross_validation"]
    assert report["folds"] == 2
    assert report["left_out"] == {"categories": 1, "messages": 1}
    assert rare.code not in report["pooled"]["per_class"]
    assert rare.code in model.labels
    assert model.n_train == 6 * 6 + 1
    page = Client()
    page.force_login(world.system_admin)
    assert "不含 1 个诉求过少的分类" in page.get("/text/models/").content.decode()


def test_a_retrain_that_cannot_be_cross_validated_does_not_replace_a_model(world, small_classifier):
    # given an active model, and closed orders of which only one category has two or more
    _active_with_macro_f1(small_classifier, 0.5)
    _closed_orders(world, 6)
    codes = sorted(set(WorkOrder.objects.filter(status=Status.CLOSED).values_list("category__code", flat=True)))
    for code in codes[1:]:
        _reopen_all_but(1, code)
    # when the retrain runs, no category but one can be held out in a fold
    model = training.train_from_closed_orders(folds=2)
    # then the new version is kept, inactive
    assert model.metrics["cross_validation"] is None
    assert not model.is_active
    assert model.metrics["activation"]["reason"] == "not_cross_validated"


def test_retrain_with_too_little_data(world):
    with pytest.raises(TextError) as err:
        training.train_from_closed_orders()
    assert err.value.code == TextErrorCode.NOT_ENOUGH_DATA


def test_bootstrap_from_csv_refuses_other_files(world):
    import io

    with pytest.raises(TextError) as err:
        training.train_from_csv(io.BytesIO(b"a,b\n1,2\n"), actor=world.system_admin)
    assert err.value.code == TextErrorCode.BAD_CSV


def test_common_path():
    assert actions._common_path(["a/b/c/", "a/b/d/"]) == "a/b/"
    assert actions._common_path(["a/b/c/"]) == "a/b/c/"
    assert actions._common_path([]) == ""
