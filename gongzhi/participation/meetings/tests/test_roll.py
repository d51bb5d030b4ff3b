"""The owners' roll: transfers of rooms between owners (with history, and the record-date rule
for votes) and importing a roll from CSV/XLSX with per-row errors."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from gongzhi.audit.models import ChangeRecord
from gongzhi.participation.meetings import actions, roll
from gongzhi.participation.meetings.errors import MeetingError
from gongzhi.participation.meetings.models import Elector, Owner, Ownership, OwnershipTransfer
from gongzhi.participation.meetings.tests import factories as f
from gongzhi.territory.models import Building, Room, Unit
from gongzhi.territory.tabular import RowsInvalid

API = "/api/participation/owners/"


def _rooms(owner):
    return sorted(Ownership.objects.filter(owner=owner).values_list("room_id", flat=True))


def test_transfer_to_a_new_owner_keeps_history_and_takes_the_seller_off_the_roll(world):
    seller, other = f.estate(world, ["80.00", "95.50"])
    room_id = _rooms(seller)[0]
    buyer = actions.transfer_rooms(
        seller,
        actor=world.community_worker_c1,
        rooms=[Room.objects.get(pk=room_id)],
        evidence="不动产权证 粤(2026)深圳市第0123456号",
        name="陈晓梅",
    )
    assert _rooms(buyer) == [room_id]
    assert Owner.objects.get(pk=seller.pk).is_active is False
    history = OwnershipTransfer.objects.get(room_id=room_id)
    assert (history.from_owner_id, history.to_owner_id) == (seller.pk, buyer.pk)
    assert ChangeRecord.objects.filter(verb="transfer_rooms", target_id=str(seller.pk)).count() == 1
    # The buyer already owns a room: a second transfer joins the record.
    actions.transfer_rooms(
        other,
        actor=world.community_worker_c1,
        rooms=[Room.objects.get(pk=_rooms(other)[0])],
        evidence="继承公证书",
        to_owner=buyer,
    )
    assert len(_rooms(buyer)) == 2


def test_open_votes_keep_their_frozen_electorate_new_votes_see_the_buyer(world):
    seller, _ = f.estate(world, ["80.00", "95.50"])
    cw = world.community_worker_c1
    open_vote = actions.open_owners_vote(
        actions.create_owners_vote(actor=cw, estate=world.c1, title="续聘物业", matter="manager"), actor=cw
    )
    buyer = actions.transfer_rooms(
        seller, actor=cw, rooms=list(Room.objects.filter(pk__in=_rooms(seller))), evidence="买卖合同", name="林志强"
    )
    assert set(Elector.objects.filter(vote=open_vote).values_list("owner_id", flat=True)) >= {seller.pk}
    assert not Elector.objects.filter(vote=open_vote, owner=buyer).exists()
    later = actions.open_owners_vote(
        actions.create_owners_vote(actor=cw, estate=world.c1, title="维修基金使用", matter="rules"), actor=cw
    )
    electors = dict(Elector.objects.filter(vote=later).values_list("owner_id", "floor_area"))
    assert electors[buyer.pk] == Decimal("80.00")
    assert seller.pk not in electors


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"evidence": " ", "name": "x"}, "evidence_required"),
        ({"evidence": "合同", "name": ""}, "evidence_required"),
        ({"evidence": "合同", "name": "x", "wrong_room": True}, "not_owned_by"),
    ],
)
def test_transfer_is_validated(world, kwargs, code):
    seller, other = f.estate(world, ["80.00", "95.50"])
    room = Room.objects.get(pk=_rooms(other if kwargs.pop("wrong_room", False) else seller)[0])
    with pytest.raises(MeetingError) as exc:
        actions.transfer_rooms(seller, actor=world.community_worker_c1, rooms=[room], **kwargs)
    assert exc.value.code == code
    assert _rooms(seller) != []
    assert not OwnershipTransfer.objects.exists()


def test_transfer_needs_the_area(world):
    seller, _ = f.estate(world, ["80.00", "95.50"])
    with pytest.raises(MeetingError) as exc:
        actions.transfer_rooms(
            seller,
            actor=world.community_worker_c3,
            rooms=[Room.objects.get(pk=_rooms(seller)[0])],
            evidence="合同",
            name="x",
        )
    assert exc.value.code == "area_not_allowed"


def _block(world, rooms=(("101", "89.50"), ("102", None), ("201", "120.00"))):
    building = Building.objects.create(
        grid=world.g1, area_path=world.g1.path, name="桃源居3栋", address="南山区桃源路3号"
    )
    unit = Unit.objects.create(building=building, number="1")
    for number, area in rooms:
        Room.objects.create(unit=unit, number=number, floor=int(number[0]), floor_area=Decimal(area) if area else None)


CSV = (
    "楼栋,单元,房号,业主姓名,产权证明,建筑面积,手机号\n"
    "桃源居3栋,1,101,王建国,粤(2019)深圳市第0000101号,89.50,13900000001\n"
    "桃源居3栋,1,102,王建国,粤(2019)深圳市第0000101号,76.20,\n"
    "桃源居3栋,1,201,李秀英,粤(2020)深圳市第0000201号,,\n"
)


def test_import_a_roll_with_chinese_headers_groups_rooms_and_fills_floor_areas(world):
    _block(world)
    dry = roll.import_owner_roll(
        CSV.encode(), "roll.csv", actor=world.community_worker_c1, estate=world.c1, dry_run=True
    )
    assert (dry.created, dry.dry_run) == (2, True)
    assert not Owner.objects.exists()
    report = roll.import_owner_roll(CSV.encode("gb18030"), "roll.csv", actor=world.community_worker_c1, estate=world.c1)
    assert report.created == 2
    wang = Owner.objects.get(name="王建国")
    assert len(_rooms(wang)) == 2
    assert Room.objects.get(number="102", unit__building__name="桃源居3栋").floor_area == Decimal("76.20")
    assert ChangeRecord.objects.filter(verb="register_owner").count() == 2


def test_import_reports_every_bad_row_and_writes_nothing(world):
    _block(world)
    bad = (
        "building,unit,room,name,evidence,floor_area\n"
        "桃源居3栋,1,101,王建国,证1,90.00\n"  # differs from the register (89.50)
        "桃源居3栋,1,999,赵六,证2,\n"  # no such room
        "桃源居3栋,1,102,钱七,证3,\n"  # no floor area anywhere
        "桃源居3栋,1,201,孙八,,abc\n"  # evidence missing, bad area
        "桃源居3栋,1,201,孙八,证4,\n"  # the same room twice
        "桃源居3栋,1,=cmd|x,周九,证5,\n"  # a formula
    )
    with pytest.raises(RowsInvalid) as exc:
        roll.import_owner_roll(bad.encode(), "roll.csv", actor=world.community_worker_c1, estate=world.c1)
    found = {(e.row, e.column) for e in exc.value.errors}
    assert found >= {
        (2, "floor_area"),
        (3, "room"),
        (4, "floor_area"),
        (5, "evidence"),
        (5, "floor_area"),
        (6, "room"),
        (7, "room"),
    }
    assert not Owner.objects.exists()


def test_import_through_the_api_as_xlsx_and_refused_for_others(world, client_for):
    _block(world)
    book = Workbook()
    sheet = book.active
    sheet.append(["building", "unit", "room", "name", "evidence"])
    sheet.append(["桃源居3栋", "1", "101", "王建国", "证1"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("roll.xlsx", buffer.getvalue())
    response = client_for("community_worker_c1").post(
        f"{API}import/", {"file": upload, "estate": world.c1.pk}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    upload.seek(0)
    assert (
        client_for("resident_c1")
        .post(f"{API}import/", {"file": upload, "estate": world.c1.pk}, format="multipart")
        .status_code
        == 403
    )


def test_transfer_through_the_api(world, client_for):
    seller, _ = f.estate(world, ["80.00", "95.50"])
    body = {"rooms": _rooms(seller), "evidence": "买卖合同", "name": "陈晓梅"}
    assert client_for("grid_worker_g1").post(f"{API}{seller.pk}/transfer/", body, format="json").status_code == 404
    response = client_for("community_worker_c1").post(f"{API}{seller.pk}/transfer/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["rooms"] == body["rooms"]
    assert Owner.objects.get(pk=seller.pk).is_active is False


def test_roll_page_imports_with_a_dry_run_then_for_real_and_shows_errors(world):
    from django.test import Client

    _block(world)
    client = Client()
    client.force_login(world.community_worker_c1)
    url = f"/participation/meetings/owners/?estate={world.c1.pk}"
    page = client.get(url).content.decode()
    assert 'data-testid="import-roll"' in page
    dry = client.post(url, {"file": SimpleUploadedFile("roll.csv", CSV.encode()), "dry_run": "on"})
    assert 'data-testid="import-report"' in dry.content.decode()
    assert not Owner.objects.exists()
    bad = client.post(url, {"file": SimpleUploadedFile("roll.csv", b"building,unit,room,name,evidence\nX,1,1,a,b\n")})
    assert 'data-testid="import-errors"' in bad.content.decode()
    done = client.post(url, {"file": SimpleUploadedFile("roll.csv", CSV.encode())})
    assert done.status_code == 302
    assert Owner.objects.count() == 2
    roll_page = client.get(url).content.decode()
    assert "王建国" not in roll_page  # names are masked on the roll page
    assert 'data-testid="roll"' in roll_page


def test_roll_page_transfer_and_refusals(world):
    from django.test import Client

    seller, _ = f.estate(world, ["80.00", "95.50"])
    staff = Client()
    staff.force_login(world.community_worker_c1)
    response = staff.post(
        f"/participation/meetings/owners/{seller.pk}/transfer/",
        {"rooms": _rooms(seller), "name": "陈晓梅", "evidence": "买卖合同"},
    )
    assert response.status_code == 302
    assert Owner.objects.get(pk=seller.pk).is_active is False
    resident = Client()
    resident.force_login(world.resident_c1)
    assert resident.get("/participation/meetings/owners/").status_code == 403
    grid = Client()
    grid.force_login(world.grid_worker_g1)
    assert grid.post(f"/participation/meetings/owners/{seller.pk}/transfer/", {}).status_code == 404
