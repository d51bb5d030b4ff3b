"""Other domains' actions put their governance events on the log, in their own transaction.

For each hook: the committed action's event reaches the log once the sequencer ran (after
commit), with no personal data in the leaf; the same action rolled back leaves nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction

from gongzhi.access.actions import grant_role, revoke_role
from gongzhi.access.choices import Role
from gongzhi.ledger import merkle, queries
from gongzhi.ledger.choices import EventKind
from gongzhi.ledger.commitments import matches_commitment
from gongzhi.ledger.models import LedgerLeaf, PendingEvent
from gongzhi.ledger.sequencer import _SealingRequest, request_sealing
from gongzhi.privacy import actions as privacy_actions
from gongzhi.privacy.errors import PrivacyForbidden
from gongzhi.privacy.testing import TEST_KEY_1, TEST_KEY_2, test_keys, use_keys  # noqa: F401  (autouse fixture)
from gongzhi.residents import actions as resident_actions
from gongzhi.residents.tests.conftest import people  # noqa: F401  (fixture)
from gongzhi.residents.tests.test_sharing import make_agreement
from gongzhi.testing.world import make_user
from gongzhi.work_orders import actions as wo_actions
from gongzhi.work_orders.choices import Status
from gongzhi.work_orders.tests import factories

pytestmark = pytest.mark.django_db


class Rollback(RuntimeError):
    pass


def _records(kind: str) -> list[dict[str, Any]]:
    leaves = LedgerLeaf.objects.filter(kind=kind).order_by("index")
    for leaf in leaves:  # every stored leaf hashes to what it says
        assert bytes(leaf.leaf_hash) == merkle.leaf_hash(leaf.data.encode())
    return [json.loads(leaf.data)["event"] for leaf in leaves]


def _all_data() -> str:
    return "\n".join(LedgerLeaf.objects.values_list("data", flat=True))


def _rolled_back(fn: Any) -> None:
    queued = []

    def run() -> None:
        with transaction.atomic():
            fn()
            queued.append(PendingEvent.objects.exists())  # queued inside the action's transaction …
            raise Rollback

    with pytest.raises(Rollback):
        run()
    assert queued == [True]
    assert not PendingEvent.objects.exists()  # … and gone with it


# --- work orders ---------------------------------------------------------------------------------


def test_every_work_order_transition_is_sealed_after_commit(world, django_capture_on_commit_callbacks):
    # given an order submitted, dispatched, signed and replied to, each step committed
    with django_capture_on_commit_callbacks(execute=True):
        order = factories.replied(world, title=factories.HOSTILE_TITLE)
    # then each state change is a leaf, in order, under the latest signed checkpoint
    records = _records(EventKind.WORK_ORDER_TRANSITION)
    assert [(r["step"], r["from"], r["to"]) for r in records] == [
        ("submit", "", Status.SUBMITTED),
        ("dispatch", Status.SUBMITTED, Status.DISPATCHED),
        ("sign", Status.DISPATCHED, Status.SIGNED),
        ("reply", Status.SIGNED, Status.REPLIED),
    ]
    assert {r["work_order"] for r in records} == {order.number}
    assert [r["event_id"] for r in records] == list(
        order.events.filter(to_status__gt="").order_by("id").values_list("id", flat=True)
    )
    assert records[1]["organisation_id"] == world.orgs["housing_bureau"].pk
    assert not PendingEvent.objects.exists()
    assert queries.get_latest_checkpoint().tree_size == LedgerLeaf.objects.count()
    # and no title, description or resident appears on the log
    data = _all_data()
    for text in ("楼道灯", "<script>", "resident_c1"):
        assert text not in data


def test_a_step_without_a_state_change_is_not_a_transition(world, django_capture_on_commit_callbacks):
    order = factories.signed(world)
    before = PendingEvent.objects.count()
    wo_actions.record_first_contact(order, actor=world.department_handler, note="电话联系了居民")
    assert PendingEvent.objects.count() == before


def test_a_rolled_back_work_order_step_never_reaches_the_log(world, django_capture_on_commit_callbacks):
    order = factories.submitted(world)
    PendingEvent.objects.all().delete()  # the submission's event (never sealed in this test)

    def dispatch() -> None:
        wo_actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _rolled_back(dispatch)
    assert callbacks == []  # no sealing was even requested
    request_sealing()
    assert not LedgerLeaf.objects.exists()
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


def test_a_transaction_with_many_events_requests_sealing_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        factories.replied(world)
    assert len([cb for cb in callbacks if isinstance(cb, _SealingRequest)]) == 1


def test_a_burst_of_commits_queues_one_sealing_run_until_it_starts(monkeypatch):
    """With a worker (not eager), sealing requests made while a run is queued queue nothing
    more; once the run starts (and clears the marker), the next request queues a new run."""
    from django.core.cache import cache

    from gongzhi.ledger import sequencer, tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks.seal_ledger, "delay", lambda: queued.append(1))
    cache.delete(sequencer.SEALING_QUEUED_KEY)
    for _ in range(50):
        request_sealing()
    assert len(queued) == 1
    sequencer.sealing_started()  # what the run does before it reads the queue
    request_sealing()
    request_sealing()
    assert len(queued) == 2
    cache.delete(sequencer.SEALING_QUEUED_KEY)


def test_a_failed_nudge_does_not_block_the_next_one(monkeypatch):
    from django.core.cache import cache

    from gongzhi.ledger import sequencer, tasks

    calls: list[int] = []

    def broker_down() -> None:
        calls.append(1)
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.seal_ledger, "delay", broker_down)
    cache.delete(sequencer.SEALING_QUEUED_KEY)
    request_sealing()  # logged, not raised
    request_sealing()  # tried again: the failed attempt left no marker
    assert len(calls) == 2


# --- privacy: reveals and key rotations ----------------------------------------------------------


def test_a_reveal_is_sealed_with_commitments_never_the_value(world, people, django_capture_on_commit_callbacks):  # noqa: F811
    worker = world.community_worker_c1
    with django_capture_on_commit_callbacks(execute=True):
        value = privacy_actions.reveal(people.head, "phone", actor=worker, purpose="上门走访需要联系张三")
    assert value == "13912345678"
    [record] = _records(EventKind.PERSONAL_DATA_REVEAL)
    assert record["field"] == "phone"
    assert record["subject_type"] == "residents.resident"
    assert matches_commitment(f"residents.resident:{people.head.pk}", record["subject"])
    assert not matches_commitment(f"residents.resident:{people.spouse.pk}", record["subject"])
    assert matches_commitment(f"accounts.user:{worker.pk}", record["actor"])
    assert matches_commitment("上门走访需要联系张三", record["purpose"])
    data = _all_data()
    for text in ("13912345678", "张三", str(worker)):
        assert text not in data


def test_a_refused_reveal_leaves_nothing(world, people):  # noqa: F811
    with pytest.raises(PrivacyForbidden):
        privacy_actions.reveal(people.head, "phone", actor=world.grid_worker_g1, purpose="上门走访需要联系")
    assert not PendingEvent.objects.exists()


def test_a_rolled_back_reveal_never_reaches_the_log(world, people, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        _rolled_back(
            lambda: privacy_actions.reveal(
                people.head, "id_number", actor=world.community_worker_c1, purpose="核实低保申请材料"
            )
        )
    request_sealing()
    assert not LedgerLeaf.objects.exists()


def test_an_export_of_a_persons_data_is_a_reveal_of_every_field(world, people, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        resident_actions.export_resident_data(people.head, actor=world.community_worker_c1, purpose="答复查阅请求")
    [record] = _records(EventKind.PERSONAL_DATA_REVEAL)
    assert record["field"] == "*"
    assert matches_commitment(f"residents.resident:{people.head.pk}", record["subject"])


def test_a_key_rotation_is_logged_at_start_and_finish(world, settings, django_capture_on_commit_callbacks):
    use_keys(settings, f"t2:{TEST_KEY_2},t1:{TEST_KEY_1}")
    with django_capture_on_commit_callbacks(execute=True):
        run = privacy_actions.start_key_rotation()
    with django_capture_on_commit_callbacks(execute=True):
        privacy_actions.finish_key_rotation(run)
    records = _records(EventKind.KEY_ROTATION)
    assert [(r["scope"], r["stage"], r["key_id"]) for r in records] == [
        ("privacy.encryption", "start", "t2"),
        ("privacy.encryption", "finish", "t2"),
    ]
    assert records[1]["rows_rewritten"] == 0


# --- disclosures to other departments ------------------------------------------------------------


def test_a_disclosure_is_one_event_with_one_commitment_per_person(world, people, django_capture_on_commit_callbacks):  # noqa: F811
    agreement = make_agreement(world)
    PendingEvent.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        resident_actions.disclose_under_agreement(
            agreement, [people.head, people.spouse], actor=world.property_staff_c1
        )
    [record] = _records(EventKind.DISCLOSURE)
    assert record["organisation_id"] == world.orgs["property_c1"].pk
    assert record["agreement_id"] == agreement.pk
    assert record["police_request_id"] is None
    assert record["fields"] == ["address", "name", "phone"]
    assert record["count"] == 2
    head, spouse = record["subjects"]
    assert matches_commitment(f"residents.resident:{people.head.pk}", head)
    assert matches_commitment(f"residents.resident:{people.spouse.pk}", spouse)
    assert head != spouse
    for text in ("张三", "物业服务通知"):
        assert text not in _all_data()


def test_a_rolled_back_disclosure_never_reaches_the_log(world, people, django_capture_on_commit_callbacks):  # noqa: F811
    agreement = make_agreement(world)
    PendingEvent.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        _rolled_back(
            lambda: resident_actions.disclose_under_agreement(agreement, [people.head], actor=world.property_staff_c1)
        )
    request_sealing()
    assert not LedgerLeaf.objects.filter(kind=EventKind.DISCLOSURE).exists()


# --- administrator grants ------------------------------------------------------------------------


def test_administrator_grants_and_revocations_are_sealed(world, django_capture_on_commit_callbacks):
    user = make_user("new_auditor")
    with django_capture_on_commit_callbacks(execute=True):
        grant = grant_role(user, role=Role.AUDIT_ADMIN, actor=world.security_admin)
    with django_capture_on_commit_callbacks(execute=True):
        revoke_role(grant, actor=world.security_admin)
    records = _records(EventKind.ADMIN_GRANT)
    assert [(r["grant_id"], r["role"], r["change"]) for r in records] == [
        (grant.pk, Role.AUDIT_ADMIN, "grant"),
        (grant.pk, Role.AUDIT_ADMIN, "revoke"),
    ]
    assert all(matches_commitment(f"accounts.user:{user.pk}", r["user"]) for r in records)
    assert all(matches_commitment(f"accounts.user:{world.security_admin.pk}", r["by"]) for r in records)
    assert "new_auditor" not in _all_data()


def test_other_role_grants_are_not_administrator_events(world):
    grant_role(
        make_user("new_worker"),
        role=Role.COMMUNITY_WORKER,
        organisation=world.orgs["committee_c1"],
        area=world.c1,
        actor=world.security_admin,
    )
    assert not PendingEvent.objects.exists()


def test_a_rolled_back_administrator_grant_never_reaches_the_log(world, django_capture_on_commit_callbacks):
    user = make_user("new_sysadmin")
    with django_capture_on_commit_callbacks(execute=True):
        _rolled_back(lambda: grant_role(user, role=Role.SYSTEM_ADMIN, actor=world.security_admin))
    request_sealing()
    assert not LedgerLeaf.objects.exists()
