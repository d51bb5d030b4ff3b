"""Importing the area tree from CSV/XLSX: validation first, all-or-nothing, idempotent."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from gongzhi.audit.models import ChangeRecord
from gongzhi.territory.importers import import_areas
from gongzhi.territory.models import Area
from gongzhi.territory.tabular import MAX_BYTES, RowsInvalid, TabularError, TabularErrorCode

HEADER = "code,name,level,parent_code,community_type,centre_lat,centre_lng,population,address"


def tree_csv(w) -> str:
    return "\n".join(
        [
            HEADER,
            # the child comes before its parent: order in the file does not matter
            "440305003001G01,蛇口第一网格,5,440305003001,,,,,",
            f"440305003,招商街道,3,{w.district.code},,,,,",
            "440305003001,蛇口社区,4,440305003,老旧小区,22.48,113.91,23000,南山区蛇口工业八路",
            f"440305001003,高新社区,community,{w.s1.code},commodity_housing,,,,",
        ]
    )


def rows_of(exc) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in exc.value.errors}


def test_good_file_creates_the_tree(world):
    report = import_areas(tree_csv(world).encode(), "areas.csv", actor=world.system_admin)

    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    community = Area.objects.get(code="440305003001")
    assert community.path == world.district.path + "440305003/440305003001/"
    assert community.community_type == "old_residential"
    assert community.population == 23000
    assert str(community.centre_lat) == "22.480000"
    assert Area.objects.get(code="440305003001G01").parent == community
    assert ChangeRecord.objects.filter(verb="create_area").count() == 4


def test_reimporting_the_same_file_changes_nothing(world):
    data = tree_csv(world).encode()
    import_areas(data, "areas.csv", actor=world.system_admin)
    before = ChangeRecord.objects.count()

    report = import_areas(data, "areas.csv", actor=world.system_admin)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert ChangeRecord.objects.count() == before


def test_changed_rows_are_updated(world):
    import_areas(tree_csv(world).encode(), "areas.csv", actor=world.system_admin)

    data = tree_csv(world).replace("蛇口社区,4", "蛇口社区更名,4").encode()
    report = import_areas(data, "areas.csv", actor=world.system_admin)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert Area.objects.get(code="440305003001").name == "蛇口社区更名"
    assert ChangeRecord.objects.filter(verb="update_area").count() == 1


def test_existing_areas_match_by_code(world):
    data = f"code,name,level,parent_code\n{world.c1.code},{world.c1.name},4,{world.s1.code}\n".encode()

    report = import_areas(data, "areas.csv", actor=world.system_admin)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


def test_bad_rows_are_all_reported_and_nothing_is_written(world):
    data = "\n".join(
        [
            HEADER,
            "GOOD1,好社区,4,440305001,,,,,",
            "bad code!,名字,5,440305001001,,,,,",  # row 3: code format
            "X2,,9,440305001001,,,,,",  # row 4: name missing, level unknown
            "X3,网格,5,NOPE,,,,,",  # row 5: parent unknown
            "X4,网格,4,440305001001,,,,,",  # row 6: level not parent+1
            "X5,网格,5,440305001001,mixed,91,113,-5,",  # row 7: type on a grid, lat out of range, population
            "GOOD1,重复,4,440305001,,,,,",  # row 8: duplicate code
            "X6,网格,5,440305001001,,22.5,,,",  # row 9: half a centre
        ]
    ).encode()

    with pytest.raises(RowsInvalid) as exc:
        import_areas(data, "areas.csv", actor=world.system_admin)

    assert exc.value.code == TabularErrorCode.INVALID_ROWS
    assert rows_of(exc) >= {
        (3, "code"),
        (4, "name"),
        (4, "level"),
        (5, "parent_code"),
        (6, "level"),
        (7, "community_type"),
        (7, "centre_lat"),
        (7, "population"),
        (8, "code"),
        (9, "centre_lat"),
    }
    assert not Area.objects.filter(code__in=["GOOD1", "X3", "X4", "X5", "X6"]).exists()
    assert ChangeRecord.objects.count() == 0


@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+cmd|x", "-2+3+cmd", "\t=1"])
def test_formula_cells_are_refused(world, value):
    data = f'code,name,level,parent_code\nX1,"{value}",5,{world.c1.code}\n'.encode()

    with pytest.raises(RowsInvalid) as exc:
        import_areas(data, "areas.csv", actor=world.system_admin)

    assert (2, "name") in rows_of(exc)
    assert not Area.objects.filter(code="X1").exists()


def test_parents_forming_a_cycle_are_reported(world):
    data = "code,name,level,parent_code\nA1,甲,4,A2\nA2,乙,3,A1\n".encode()

    with pytest.raises(RowsInvalid) as exc:
        import_areas(data, "areas.csv", actor=world.system_admin)

    assert any(e.column == "parent_code" for e in exc.value.errors)


def test_import_does_not_move_areas(world):
    data = f"code,name,level,parent_code\n{world.g1.code},{world.g1.name},5,{world.c2.code}\n".encode()

    with pytest.raises(RowsInvalid) as exc:
        import_areas(data, "areas.csv", actor=world.system_admin)

    assert rows_of(exc) == {(2, "parent_code")}


def test_rows_outside_the_actors_scope_are_refused(world):
    data = f"code,name,level,parent_code\nNEW1,新网格,5,{world.c1.code}\n".encode()

    with pytest.raises(RowsInvalid) as exc:
        import_areas(data, "areas.csv", actor=world.street_official_s2)

    assert rows_of(exc) == {(2, "code")}


def test_dry_run_validates_and_counts_without_writing(world):
    report = import_areas(tree_csv(world).encode(), "areas.csv", actor=world.system_admin, dry_run=True)

    assert report.created == 4
    assert report.dry_run is True
    assert not Area.objects.filter(code="440305003").exists()


def test_gbk_csv_is_decoded(world):
    data = tree_csv(world).encode("gbk")

    report = import_areas(data, "areas.csv", actor=world.system_admin)

    assert report.created == 4
    assert Area.objects.get(code="440305003").name == "招商街道"


def test_utf8_bom_csv_is_decoded(world):
    data = "\ufeff".encode() + tree_csv(world).encode()

    assert import_areas(data, "areas.csv", actor=world.system_admin).created == 4


def test_undecodable_csv_is_refused(world):
    with pytest.raises(TabularError) as exc:
        import_areas(b"code,name,level\n\x81\xff\xfe,x,1\n", "areas.csv", actor=world.system_admin)

    assert exc.value.code == TabularErrorCode.BAD_ENCODING


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_is_imported(world):
    data = xlsx_bytes(
        [
            ["code", "name", "level", "parent_code", "community_type", "population"],
            ["440305001003", "高新社区", 4, world.s1.code, "新建商品房", 8000],
            ["440305001003G01", "高新第一网格", 5, "440305001003", None, None],
        ]
    )

    report = import_areas(data, "areas.xlsx", actor=world.system_admin)

    assert report.created == 2
    community = Area.objects.get(code="440305001003")
    assert community.population == 8000
    assert community.community_type == "commodity_housing"


def test_xlsx_formula_is_refused(world):
    data = xlsx_bytes(
        [["code", "name", "level", "parent_code"], ["X1", '=HYPERLINK("http://evil","x")', 5, world.c1.code]]
    )

    with pytest.raises(RowsInvalid) as exc:
        import_areas(data, "areas.xlsx", actor=world.system_admin)

    assert rows_of(exc) == {(2, "name")}


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"code,name\nX,y\n", "areas.csv", TabularErrorCode.MISSING_COLUMNS),
        (b"code,name,level,colour\nX,y,1,red\n", "areas.csv", TabularErrorCode.UNKNOWN_COLUMNS),
        (b"code,name,level,name\n", "areas.csv", TabularErrorCode.DUPLICATE_COLUMNS),
        (b"", "areas.csv", TabularErrorCode.EMPTY_FILE),
        (b"MZ\x90\x00binary", "areas.exe", TabularErrorCode.UNSUPPORTED_FILE_TYPE),
        (b"code,name,level\n", "areas.xlsx", TabularErrorCode.UNSUPPORTED_FILE_TYPE),  # not a zip
        (b"PK\x03\x04 pretending", "areas.csv", TabularErrorCode.UNSUPPORTED_FILE_TYPE),
        (b"code,name\x00,level\n", "areas.csv", TabularErrorCode.UNSUPPORTED_FILE_TYPE),
    ],
)
def test_hostile_or_wrong_files_are_refused(world, data, name, code):
    with pytest.raises(TabularError) as exc:
        import_areas(data, name, actor=world.system_admin)

    assert exc.value.code == code
    assert exc.value.http_status == 400


def test_zip_that_is_not_a_workbook_is_malformed(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")

    with pytest.raises(TabularError) as exc:
        import_areas(buffer.getvalue(), "areas.xlsx", actor=world.system_admin)

    assert exc.value.code == TabularErrorCode.MALFORMED_FILE


def test_zip_bomb_is_refused_before_unpacking(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (70 * 1024 * 1024))

    with pytest.raises(TabularError) as exc:
        import_areas(buffer.getvalue(), "areas.xlsx", actor=world.system_admin)

    assert exc.value.code == TabularErrorCode.FILE_TOO_LARGE


def test_oversized_file_is_refused(world):
    with pytest.raises(TabularError) as exc:
        import_areas(b"code,name,level\n" + b"x" * MAX_BYTES, "areas.csv", actor=world.system_admin)

    assert exc.value.code == TabularErrorCode.FILE_TOO_LARGE


# --- the API upload and the management command -------------------------------------------


def upload(content: bytes, name: str = "areas.csv") -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


def test_api_import_reports_row_errors_as_400(world, client_for):
    client = client_for("street_official_s1")

    response = client.post(
        "/api/territory/areas/import/", upload(b"code,name,level,parent_code\nX1,,5,NOPE\n"), format="multipart"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_rows"
    assert {(e["row"], e["column"]) for e in body["errors"]} == {(2, "name"), (2, "parent_code")}


def test_api_import_dry_run_writes_nothing(world, client_for):
    client = client_for("system_admin")

    response = client.post(
        "/api/territory/areas/import/?dry_run=1", upload(tree_csv(world).encode()), format="multipart"
    )

    assert response.status_code == 200
    assert response.json() == {"created": 4, "updated": 0, "unchanged": 0, "dry_run": True}
    assert not Area.objects.filter(code="440305003").exists()


def test_api_import_accepts_gbk(world, client_for):
    response = client_for("system_admin").post(
        "/api/territory/areas/import/", upload(tree_csv(world).encode("gbk")), format="multipart"
    )

    assert response.status_code == 200
    assert response.json()["created"] == 4


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"x" * (MAX_BYTES + 1), "areas.csv", "file_too_large"),
        (b"code,name\n1,2\n", "areas.csv", "missing_columns"),
        (b"\x89PNG\r\n", "areas.png", "unsupported_file_type"),
    ],
)
def test_api_import_refuses_bad_files_with_400(world, client_for, content, name, code):
    response = client_for("system_admin").post(
        "/api/territory/areas/import/", upload(content, name), format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == code


def test_api_import_without_a_file_is_400(world, client_for):
    response = client_for("system_admin").post("/api/territory/areas/import/", {}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()["fields"]


def test_import_areas_command(world, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_bytes(tree_csv(world).encode())

    call_command("import_areas", str(path))

    assert Area.objects.filter(code="440305003001G01").exists()
    record = ChangeRecord.objects.filter(verb="create_area").first()
    assert record.source == "import:areas"


def test_import_areas_command_reports_bad_rows(world, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_bytes(b"code,name,level,parent_code\nX1,,5,NOPE\n")

    with pytest.raises(CommandError):
        call_command("import_areas", str(path))

    assert not Area.objects.filter(code="X1").exists()
