import datetime as dt
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from PIL import Image

from gongzhi.audit.models import ChangeRecord
from gongzhi.ledger.models import PendingEvent
from gongzhi.participation.accountability import actions, queries
from gongzhi.participation.accountability.choices import ResultStatus
from gongzhi.participation.accountability.errors import AccountabilityError
from gongzhi.participation.accountability.errors import AccountabilityErrorCode as E
from gongzhi.participation.accountability.models import Result, ResultFollow
from gongzhi.participation.accountability.tests import factories
from gongzhi.participation.accountability.tracking import track_result


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, format="PNG")
    return buf.getvalue()


def test_track_result_creates_result_and_first_update_without_a_change_record(world):
    before_records, before_events = ChangeRecord.objects.count(), PendingEvent.objects.count()
    source = world.orgs["committee_c1"]  # any model works as a source
    result = track_result(
        source,
        title="修缮3栋屋顶",
        area=world.c1,
        responsible_unit=world.orgs["property_c1"],
        deadline=dt.date(2027, 1, 31),
        actor=world.community_worker_c1,
    )
    assert result.area_path == world.c1.path
    assert result.source_id == source.pk
    assert result.source_type.model == "organisation"
    assert [u.progress for u in result.updates.all()] == [0]
    assert result.updates.get().author_unit == "深圳科苑物业管理有限公司"
    assert ChangeRecord.objects.count() == before_records
    assert PendingEvent.objects.count() == before_events + 1
    assert queries.get_result_for_source(source) == result


def test_one_result_per_source(world):
    source = world.orgs["committee_c1"]
    kwargs = {
        "title": "x",
        "area": world.c1,
        "responsible_unit": None,
        "deadline": None,
        "actor": world.community_worker_c1,
    }
    track_result(source, **kwargs)
    with pytest.raises(IntegrityError), transaction.atomic():
        track_result(source, **kwargs)


def test_create_result_outside_own_area_is_refused(world):
    with pytest.raises(AccountabilityError) as exc:
        factories.result(world, by="community_worker_c1", area=world.c3)
    assert exc.value.code == E.AREA_NOT_ALLOWED


def test_result_tracked_to_completion(world):
    result = factories.result(world, title=factories.HOSTILE_TITLE)
    milestone = actions.add_milestone(result, actor=world.community_worker_c1, title="业主表决")
    actions.report_progress(result, actor=world.community_worker_c1, progress=40, text="已完成业主意见征集")
    with pytest.raises(AccountabilityError) as exc:
        actions.report_progress(result, actor=world.community_worker_c1, progress=100, text="完工")
    assert exc.value.code == E.MILESTONES_OPEN
    actions.complete_milestone(milestone, actor=world.community_worker_c1)
    events = PendingEvent.objects.count()
    actions.report_progress(result, actor=world.community_worker_c1, progress=100, text="电梯已投入使用 🎉")
    result.refresh_from_db()
    assert result.status == ResultStatus.COMPLETED
    assert result.completed_at is not None
    assert PendingEvent.objects.count() == events + 1
    assert '"participation.result.completed"' in PendingEvent.objects.latest("id").data
    with pytest.raises(AccountabilityError) as exc:
        actions.report_progress(result, actor=world.community_worker_c1, progress=90, text="x", reason_for_decrease="y")
    assert exc.value.code == E.RESULT_CLOSED


@pytest.mark.parametrize("progress", [-1, 101, "50", True, None])
def test_progress_must_be_an_int_in_range(world, progress):
    result = factories.result(world)
    with pytest.raises(AccountabilityError) as exc:
        actions.report_progress(result, actor=world.community_worker_c1, progress=progress, text="x")
    assert exc.value.code == E.PROGRESS_OUT_OF_RANGE


def test_progress_going_down_needs_a_reason_and_text_is_required(world):
    result = factories.result(world)
    actions.report_progress(result, actor=world.community_worker_c1, progress=50, text="过半")
    with pytest.raises(AccountabilityError) as exc:
        actions.report_progress(result, actor=world.community_worker_c1, progress=30, text="返工")
    assert exc.value.code == E.PROGRESS_BACKWARDS
    with pytest.raises(AccountabilityError) as exc:
        actions.report_progress(result, actor=world.community_worker_c1, progress=60, text="   ")
    assert exc.value.code == E.TEXT_REQUIRED
    update = actions.report_progress(
        result, actor=world.community_worker_c1, progress=30, text="返工", reason_for_decrease="验收不合格"
    )
    assert "验收不合格" in update.text


def test_cancel_needs_a_reason(world):
    result = factories.result(world)
    with pytest.raises(AccountabilityError) as exc:
        actions.cancel_result(result, actor=world.community_worker_c1, reason=" ")
    assert exc.value.code == E.REASON_REQUIRED
    actions.cancel_result(result, actor=world.community_worker_c1, reason="业主表决未通过")
    result.refresh_from_db()
    assert result.status == ResultStatus.CANCELLED
    assert not result.is_overdue


def test_evidence_is_checked_like_work_order_attachments(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result = factories.result(world)
    evidence = actions.attach_evidence(
        result, actor=world.community_worker_c1, upload=SimpleUploadedFile("现场.png", _png()), caption="完工照片"
    )
    assert evidence.content_type == "image/jpeg"
    assert evidence.width == 40
    for upload, code in [
        (SimpleUploadedFile("evil.png", b"<script>alert(1)</script>"), E.EVIDENCE_TYPE_NOT_ALLOWED),
        (SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024)), E.EVIDENCE_TOO_LARGE),
    ]:
        with pytest.raises(AccountabilityError) as exc:
            actions.attach_evidence(result, actor=world.community_worker_c1, upload=upload)
        assert exc.value.code == code


def test_follow_once_and_unfollow(world):
    result = factories.result(world)
    actions.follow_result(result, actor=world.resident_c1)
    with pytest.raises(AccountabilityError) as exc:
        actions.follow_result(result, actor=world.resident_c1)
    assert exc.value.code == E.ALREADY_FOLLOWING
    result.refresh_from_db()
    assert result.follower_count == 1
    actions.unfollow_result(result, actor=world.resident_c1)
    result.refresh_from_db()
    assert result.follower_count == 0
    with pytest.raises(AccountabilityError) as exc:
        actions.unfollow_result(result, actor=world.resident_c1)
    assert exc.value.code == E.NOT_FOLLOWING


def test_overdue_results_for_supervisors_in_scope(world):
    late_c1 = factories.overdue(world, title="逾期C1")
    factories.overdue(world, by="community_worker_c3", area=world.c3, unit="committee_c3", title="逾期C3")
    factories.result(world, title="未逾期")
    done = factories.overdue(world, title="已完成")
    Result.objects.filter(pk=done.pk).update(status=ResultStatus.COMPLETED, progress=100, completed_at=timezone.now())
    assert list(queries.list_overdue_results(world.street_official_s1)) == [late_c1]
    assert {r.title for r in queries.list_overdue_results(world.district_official)} == {"逾期C1", "逾期C3"}
    assert list(queries.list_overdue_results(world.resident_c1)) == []


def test_a_follow_losing_the_race_hits_the_constraint(world):
    result = factories.result(world)
    ResultFollow.objects.create(result=result, user=world.resident_c1)  # the concurrent winner
    with pytest.raises(AccountabilityError) as exc:
        actions.follow_result(result, actor=world.resident_c1)
    assert exc.value.code == E.ALREADY_FOLLOWING


def test_concurrent_follows_store_one(transactional_db):
    # An in-memory SQLite database cannot be shared between threads; then the race runs sequentially.
    threads_possible = not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    from gongzhi.testing.world import build_world

    world = build_world()
    result = factories.result(world)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            actions.follow_result(result, actor=world.resident_c1)
            outcomes.append("ok")
        except AccountabilityError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    if threads_possible:
        threads = [threading.Thread(target=attempt) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for _ in range(8):
            attempt()
    assert ResultFollow.objects.filter(result=result).count() == 1
    assert sorted(outcomes) == [E.ALREADY_FOLLOWING] * 7 + ["ok"]
    assert Result.objects.get(pk=result.pk).follower_count == 1


def test_followers_are_told_about_progress(world):
    from gongzhi.notifications.models import Notification

    result = factories.result(world)
    actions.follow_result(result, actor=world.resident_c1)
    actions.report_progress(result, actor=world.community_worker_c1, progress=50, text="过半")
    notice = Notification.objects.get(recipient=world.resident_c1)
    assert notice.kind == "participation_results.update"
    assert notice.url == f"/participation/results/{result.pk}/"
