"""Importing organisations, served areas and duty lists: all-or-nothing and idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from gongzhi.audit.models import ChangeRecord
from gongzhi.organisations.choices import DutyRole
from gongzhi.organisations.importers import import_organisations
from gongzhi.organisations.models import DutyAssignment, Organisation, OrganisationArea
from gongzhi.organisations.tests.duty_world import build_duties
from gongzhi.territory.tabular import RowsInvalid, TabularError, TabularErrorCode

HEADER = "code,name,kind,parent_code,seat_code,serves,contact_name,contact_phone,address,duties"


def orgs_csv(w) -> str:
    build_duties(w)
    return "\n".join(
        [
            HEADER,
            # the child first: order does not matter
            f"ORG-C2-SW,海珠社工站,社会组织,ORG-C2,{w.c2.code},{w.c2.code},李敏,+86 755 2600 0000,,"
            f"ENV-WASTE@{w.c2.code}@assist",
            f"ORG-C2,海珠社区居委会,residents_committee,ORG-S1,{w.c2.code},{w.c2.code};{w.g3.code},王芳,0755-26000001,南山区海珠路1号,"
            f"ENV-WASTE@{w.c2.code};HOUSE@{w.g3.code}",
        ]
    )


def rows_of(exc) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in exc.value.errors}


def test_good_file_creates_organisations_served_areas_and_duties(world):
    report = import_organisations(orgs_csv(world).encode(), "orgs.csv", actor=world.system_admin)

    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    committee = Organisation.objects.get(code="ORG-C2")
    assert committee.kind == "residents_committee"
    assert committee.parent == world.orgs["street_office_s1"]
    assert committee.home_area_path == world.c2.path
    assert set(OrganisationArea.objects.filter(organisation=committee).values_list("area_id", flat=True)) == {
        world.c2.pk,
        world.g3.pk,
    }
    station = Organisation.objects.get(code="ORG-C2-SW")
    assert station.kind == "social_organisation"
    assert station.parent == committee
    assert station.contact_phone == "+86 755 2600 0000"
    assert DutyAssignment.objects.get(organisation=station).duty_role == DutyRole.ASSIST
    assert DutyAssignment.objects.filter(organisation=committee).count() == 2


def test_reimporting_the_same_file_changes_nothing(world):
    data = orgs_csv(world).encode()
    import_organisations(data, "orgs.csv", actor=world.system_admin)
    before = ChangeRecord.objects.count()

    report = import_organisations(data, "orgs.csv", actor=world.system_admin)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert ChangeRecord.objects.count() == before


def test_the_duties_column_is_the_whole_duty_list(world):
    import_organisations(orgs_csv(world).encode(), "orgs.csv", actor=world.system_admin)

    data = orgs_csv(world).replace(f";HOUSE@{world.g3.code}", "").encode()
    report = import_organisations(data, "orgs.csv", actor=world.system_admin)

    assert report.updated == 1
    assert list(
        DutyAssignment.objects.filter(organisation__code="ORG-C2").values_list("category__code", flat=True)
    ) == ["ENV-WASTE"]


def test_absent_optional_columns_leave_data_alone(world):
    build_duties(world)
    org = world.orgs["committee_c1"]
    data = f"code,name,kind,seat_code\n{org.code},{org.name},{org.kind},{world.c1.code}\n".encode()

    report = import_organisations(data, "orgs.csv", actor=world.system_admin)

    assert report.unchanged == 1
    assert DutyAssignment.objects.filter(organisation=org).count() == 1


def test_bad_rows_are_all_reported_and_nothing_is_written(world):
    build_duties(world)
    data = "\n".join(
        [
            HEADER,
            f"OK1,好组织,enterprise,,{world.c1.code},{world.c1.code},,,,",
            f"X1,,spaceship,,{world.c1.code},,,,,",  # row 3: name, kind
            "X2,组织,enterprise,NOPE,NOWHERE,,,,,",  # row 4: parent, seat
            f"X3,组织,enterprise,,{world.c1.code},{world.c1.code},,,,NOCAT@{world.c1.code}",  # row 5: category
            f"X4,组织,enterprise,,{world.c1.code},{world.c1.code},,,,ENV@{world.c3.code}",  # row 6: not served
            f"X5,组织,enterprise,,{world.c1.code},{world.c1.code},,,,garbage",  # row 7: format
            f"X6,组织,enterprise,,{world.c1.code},{world.c1.code},,,,ENV@{world.c1.code}@boss",  # row 8: role
            f"OK1,重复,enterprise,,{world.c1.code},,,,,",  # row 9: duplicate code
        ]
    ).encode()

    with pytest.raises(RowsInvalid) as exc:
        import_organisations(data, "orgs.csv", actor=world.system_admin)

    assert rows_of(exc) >= {
        (3, "name"),
        (3, "kind"),
        (4, "parent_code"),
        (4, "seat_code"),
        (5, "duties"),
        (6, "duties"),
        (7, "duties"),
        (8, "duties"),
        (9, "code"),
    }
    assert not Organisation.objects.filter(code__in=["OK1", "X3", "X4", "X5", "X6"]).exists()
    assert ChangeRecord.objects.count() == 0


def test_formula_in_a_contact_field_is_refused(world):
    data = f'code,name,kind,seat_code,contact_name\nX1,组织,enterprise,{world.c1.code},"=HYPERLINK(""http://x"")"\n'.encode()

    with pytest.raises(RowsInvalid) as exc:
        import_organisations(data, "orgs.csv", actor=world.system_admin)

    assert rows_of(exc) == {(2, "contact_name")}


def test_rows_outside_the_actors_scope_are_refused(world):
    data = f"code,name,kind,seat_code\nX1,组织,enterprise,{world.c1.code}\n".encode()

    with pytest.raises(RowsInvalid) as exc:
        import_organisations(data, "orgs.csv", actor=world.street_official_s2)

    assert rows_of(exc) == {(2, "seat_code")}


def test_gbk_csv_and_dry_run(world):
    data = orgs_csv(world).encode("gbk")

    report = import_organisations(data, "orgs.csv", actor=world.system_admin, dry_run=True)

    assert (report.created, report.dry_run) == (2, True)
    assert not Organisation.objects.filter(code="ORG-C2").exists()


def test_xlsx_is_imported(world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "kind", "seat_code", "serves"])
    sheet.append(["ORG-X", "科技园物业", "物业服务企业", world.c1.code, world.c1.code])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = import_organisations(buffer.getvalue(), "orgs.xlsx", actor=world.system_admin)

    assert report.created == 1
    assert Organisation.objects.get(code="ORG-X").kind == "property_company"


def test_missing_columns_are_a_file_error(world):
    with pytest.raises(TabularError) as exc:
        import_organisations(b"code,name\nX,y\n", "orgs.csv", actor=world.system_admin)

    assert exc.value.code == TabularErrorCode.MISSING_COLUMNS


def test_api_import_reports_row_errors(world, client_for):
    upload = SimpleUploadedFile(
        "orgs.csv", b"code,name,kind,seat_code\nX1,,enterprise,NOWHERE\n", content_type="text/csv"
    )

    response = client_for("system_admin").post(
        "/api/organisations/organisations/import/", {"file": upload}, format="multipart"
    )

    assert response.status_code == 400
    assert {(e["row"], e["column"]) for e in response.json()["errors"]} == {(2, "name"), (2, "seat_code")}


def test_import_organisations_command(world, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(orgs_csv(world).encode())

    call_command("import_organisations", str(path))

    assert Organisation.objects.filter(code="ORG-C2-SW").exists()
    assert ChangeRecord.objects.filter(source="import:organisations").count() >= 2


def test_import_organisations_command_refuses_bad_rows(world, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(b"code,name,kind,seat_code\nX1,,enterprise,NOWHERE\n")

    with pytest.raises(CommandError):
        call_command("import_organisations", str(path))
