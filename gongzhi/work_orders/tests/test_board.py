"""The public board and attachment downloads: consented rows only, no personal data,
attachments only when marked public; downloads scoped, typed, not sniffed."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gongzhi.audit.models import ChangeRecord
from gongzhi.testing.world import ACTORS
from gongzhi.work_orders import actions
from gongzhi.work_orders.board import redact
from gongzhi.work_orders.errors import WorkOrderError, WorkOrderErrorCode
from gongzhi.work_orders.tests import factories

BOARD = "/work-orders/board/"
API = "/api/work-orders/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _jpeg(name="photo.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _public_order(world, *, reply=True, **extra):
    fields = {
        "title": "3栋1单元502室漏水 <script>alert(1)</script>",
        "description": "我是王小明，电话13912345678，身份证440305199001011234，住3栋1单元502室，家里漏水",
        "contact_name": "王小明",
        "contact_phone": "13912345678",
        "is_public": True,
        "building": world.building_g1,
    }
    fields.update(extra)
    order = factories.submitted(world, **fields)
    order = actions.accept_work_order(order, actor=world.community_worker_c1)
    order = actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)
    order = actions.sign_work_order(order, actor=world.department_handler)
    if not reply:
        return order
    return actions.reply_work_order(order, actor=world.department_handler, text="已联系13912345678的住户并修复")


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("电话13912345678", "13912345678", "电话"),
        ("电话 139-1234-5678", "5678", "电话"),
        ("+86 13912345678", "13912345678", ""),
        ("座机0755-26612345", "26612345", "座机"),
        ("身份证44030519900101123X", "44030519900101123X", "身份证"),
        ("3栋1单元502室", "502", "栋"),
        ("Ｂ座１２０３房", "１２０３", "座"),  # noqa: RUF001
        ("我是李四，家住附近", "李四", "我是"),
    ],
)
def test_redact(text, hidden, kept):
    out = redact(text)
    assert hidden not in out
    assert kept in out


def test_board_lists_consented_accepted_orders_only_without_personal_data(world):
    shown = _public_order(world)
    private = factories.submitted(world, title="不公开的诉求")
    not_yet_accepted = factories.submitted(world, title="刚提交的公开诉求", is_public=True)
    html = Client().get(BOARD).content.decode()
    assert f'data-order-id="{shown.pk}"' in html
    assert f'data-order-id="{private.pk}"' not in html
    assert f'data-order-id="{not_yet_accepted.pk}"' not in html
    assert "<script>alert(1)" not in html
    detail = Client().get(f"{BOARD}{shown.pk}/")
    assert detail.status_code == 200
    page = detail.content.decode()
    for secret in ("王小明", "13912345678", "440305199001011234", "502", world.resident_c1.display_name, "科苑小区3栋"):
        assert secret not in page, secret
    assert world.c1.name in page  # the community, not the grid or the building
    assert "已联系***的住户并修复" in page  # the reply, redacted
    kinds = [k for k in ("submit", "accept", "dispatch", "sign", "reply") if f'data-kind="{k}"' in page]
    assert kinds == ["submit", "accept", "dispatch", "sign", "reply"]
    assert Client().get(f"{BOARD}{private.pk}/").status_code == 404
    assert Client().get(f"{BOARD}{not_yet_accepted.pk}/").status_code == 404


def test_board_hides_internal_events(world):
    order = _public_order(world, reply=False)
    actions.supervise_work_order(order, actor=world.street_official_s1, level=1, note="内部催办：张科长")
    page = Client().get(f"{BOARD}{order.pk}/").content.decode()
    assert 'data-kind="supervise"' not in page
    assert "张科长" not in page


def test_board_filters(world):
    in_c1 = _public_order(world)
    in_c3 = _public_order(world, title="白石洲路灯", area=world.g4, building=None)
    client = Client()

    def ids(query):
        html = client.get(f"{BOARD}?{query}").content.decode()
        return {pk for pk in (in_c1.pk, in_c3.pk) if f'data-order-id="{pk}"' in html}

    assert ids("") == {in_c1.pk, in_c3.pk}
    assert ids(f"community={world.c1.code}") == {in_c1.pk}
    assert ids("status=replied") == {in_c1.pk, in_c3.pk}
    assert ids("status=closed") == set()
    category = factories.category()
    root = category
    while root.parent_id:
        root = root.parent
    assert ids(f"category={root.code}") == {in_c1.pk, in_c3.pk}
    assert ids("community=NOPE") == set()  # an invalid filter shows nothing rather than everything


def test_board_query_count_is_constant(world, django_assert_max_num_queries):
    _public_order(world)
    client = Client()
    client.get(BOARD)
    for i in range(6):
        _public_order(world, title=f"诉求{i}")
    with django_assert_max_num_queries(8):
        assert client.get(BOARD).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"{BOARD}?community={world.c1.code}&status=replied").status_code == 200


def test_attachments_on_the_board_only_when_marked_public(world):
    order = _public_order(world)
    photo = actions.add_attachment(order, actor=world.resident_c1, upload=_jpeg())
    url = f"{BOARD}{order.pk}/attachments/{photo.pk}/"
    assert Client().get(url).status_code == 404
    assert url not in Client().get(f"{BOARD}{order.pk}/").content.decode()
    before = ChangeRecord.objects.count()
    actions.set_attachment_public(photo, actor=world.community_worker_c1, is_public=True)
    assert ChangeRecord.objects.count() - before == 1
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert url in Client().get(f"{BOARD}{order.pk}/").content.decode()


def test_a_private_order_cannot_publish_attachments(world):
    order = factories.submitted(world)
    photo = actions.add_attachment(order, actor=world.resident_c1, upload=_jpeg())
    with pytest.raises(WorkOrderError) as exc:
        actions.set_attachment_public(photo, actor=world.community_worker_c1, is_public=True)
    assert exc.value.code == WorkOrderErrorCode.NOT_PUBLIC


def test_api_download_headers_and_pdf_is_an_attachment(world, client_for):
    order = factories.submitted(world)
    pdf = actions.add_attachment(
        order, actor=world.resident_c1, upload=SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")
    )
    response = client_for("resident_c1").get(f"{API}{order.pk}/attachments/{pdf.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename" in response["Content-Disposition"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, max-age=3600"
    other = factories.submitted(world)
    assert client_for("resident_c1").get(f"{API}{other.pk}/attachments/{pdf.pk}/").status_code == 404


#: Who may download an attachment of an order submitted in grid G1 (not yet dispatched).
SEES_C1_ORDER = {"resident_c1", "grid_worker_g1", "community_worker_c1", "street_official_s1", "district_official"}
PUBLISHERS = {"community_worker_c1", "street_official_s1"}


@pytest.mark.parametrize("actor", list(ACTORS))
def test_download_and_publish_matrix(world, client_for, actor):
    order = factories.submitted(world, is_public=True, contact_phone="13912345678")
    photo = actions.add_attachment(order, actor=world.resident_c1, upload=_jpeg())
    client = client_for(actor)
    download = client.get(f"{API}{order.pk}/attachments/{photo.pk}/")
    expected = 403 if actor == "anonymous" else (200 if actor in SEES_C1_ORDER else 404)
    assert download.status_code == expected
    before = ChangeRecord.objects.count()
    publish = client.post(f"{API}{order.pk}/attachments/{photo.pk}/publish/", {"is_public": True}, format="json")
    if actor == "anonymous":
        expected = 403
    elif actor in PUBLISHERS:
        expected = 200
    elif actor in SEES_C1_ORDER:
        expected = 403
    else:
        expected = 404
    assert publish.status_code == expected, publish.content
    assert ChangeRecord.objects.count() - before == (1 if expected == 200 else 0)
    board = Client().get(f"{BOARD}{order.pk}/attachments/{photo.pk}/")
    assert board.status_code == 404  # the order was not accepted yet: not on the board


@pytest.mark.parametrize("actor", list(ACTORS))
def test_board_pages_are_open_to_everyone(world, client_for, actor):
    order = _public_order(world)
    client = Client()
    if actor != "anonymous":
        client.force_login(world.users[actor])
    assert client.get(BOARD).status_code == 200
    assert client.get(f"{BOARD}{order.pk}/").status_code == 200


def test_staff_publish_a_photo_from_the_detail_page(world):
    order = _public_order(world)
    photo = actions.add_attachment(order, actor=world.resident_c1, upload=_jpeg())
    worker = Client()
    worker.force_login(world.community_worker_c1)
    assert f'data-testid="publish-{photo.pk}"' in worker.get(f"/work-orders/{order.pk}/").content.decode()
    url = f"/work-orders/{order.pk}/attachments/{photo.pk}/publish/"
    assert worker.post(url, {"is_public": "1"}).status_code == 302
    photo.refresh_from_db()
    assert photo.is_public
    handler = Client()
    handler.force_login(world.department_handler)
    assert f'data-testid="publish-{photo.pk}"' not in handler.get(f"/work-orders/{order.pk}/").content.decode()
    assert handler.post(url, {"is_public": "0"}).status_code == 403
    stranger = Client()
    stranger.force_login(world.community_worker_c3)
    assert stranger.post(url, {"is_public": "0"}).status_code == 404
    photo.refresh_from_db()
    assert photo.is_public


def test_board_api_is_public_and_carries_no_personal_data(world, client_for):
    order = _public_order(world)
    factories.submitted(world, title="不公开")
    anonymous = client_for("anonymous")
    listing = anonymous.get("/api/work-orders/board/")
    assert listing.status_code == 200
    assert [r["id"] for r in listing.json()["results"]] == [order.pk]
    assert listing.json()["results"][0]["community"] == world.c1.name
    detail = anonymous.get(f"/api/work-orders/board/{order.pk}/")
    assert detail.status_code == 200
    body = str(detail.json())
    for secret in ("王小明", "13912345678", "440305199001011234", "502"):
        assert secret not in body, secret
    assert [e["kind"] for e in detail.json()["timeline"]] == ["submit", "accept", "dispatch", "sign", "reply"]
    assert anonymous.get("/api/work-orders/board/?community=NOPE").status_code == 400
    assert anonymous.get(f"/api/work-orders/board/{order.pk + 1000}/").status_code == 404


def test_board_api_query_count_is_constant(world, client_for, django_assert_max_num_queries):
    client = client_for("anonymous")
    _public_order(world)
    client.get("/api/work-orders/board/")
    for i in range(5):
        _public_order(world, title=f"诉求{i}")
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/work-orders/board/?status=replied").json()["results"]) == 6
