"""Multi-source import: profiles, validation report, dry run, matching, review, lineage, rollback, resume."""

from __future__ import annotations

import csv
import io
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import TestCase

from gongzhi.audit.models import ChangeRecord
from gongzhi.privacy.fields import raw
from gongzhi.residents import actions
from gongzhi.residents.choices import ImportSource, ImportStatus, ReviewStatus
from gongzhi.residents.errors import ResidentError, ResidentErrorCode
from gongzhi.residents.factories import make_id_number
from gongzhi.residents.importer import run_import
from gongzhi.residents.models import (
    Household,
    HouseholdMembership,
    ImportBatch,
    ImportChange,
    ImportCreatedRange,
    ImportReview,
    ImportRowError,
    Resident,
    ValueLineage,
)
from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import ACTORS

COLUMNS = {
    "name": "姓名",
    "id_number": "身份证号",
    "phone": "手机",
    "date_of_birth": "出生日期",
    "address": "住址",
    "relation": "与户主关系",
    "residence_type": "居住类型",
}
HEADER = ["姓名", "身份证号", "手机", "出生日期", "住址", "与户主关系", "居住类型"]


def csv_bytes(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def new_id(year=1980):
    import datetime

    return make_id_number(datetime.date(year, 4, 5))


def profile(world, name="网格员台账", priority=50, source=ImportSource.GRID_WORKER):
    return actions.save_import_profile(
        name=name, source=source, column_map=COLUMNS, priority=priority, area=world.c1, actor=world.community_worker_c1
    )


def do_import(world, data, *, dry_run=False, prof=None, chunk_size=1000, **kw):
    return run_import(
        prof or profile(world), io.BytesIO(data), "台账.csv", grid=world.g2, actor=world.community_worker_c1,
        dry_run=dry_run, chunk_size=chunk_size, **kw,
    )  # fmt: skip


def good_rows():
    return [
        ["孙一", new_id(1970), "13500000001", "", "科苑路20号1栋101", "户主", "户籍"],
        ["孙二", new_id(1972), "13500000002", "", "科苑路20号1栋101", "配偶", "户籍"],
        ["周三", new_id(1990), "", "", "科苑路21号2栋202", "本人", "租户"],
    ]


BAD_ROWS = [
    ["", new_id(1980), "", "", "科苑路22号", "户主", ""],  # row 5: no name
    ["吴四", "110105194912310021", "", "", "科苑路22号", "户主", ""],  # row 6: wrong check digit
    ["郑五", "", "12345", "1990-13-01", "科苑路22号", "户主", "流浪"],  # row 7: phone, date, residence type
]


def test_a_dry_run_reports_every_bad_row_and_writes_nothing(world, people):
    # given
    residents_before = Resident.objects.count()
    # when
    batch = do_import(world, csv_bytes(good_rows() + BAD_ROWS), dry_run=True)
    # then
    assert batch.status == ImportStatus.DRY_RUN
    assert (batch.rows_done, batch.rows_created, batch.rows_error) == (6, 3, 3)
    assert Resident.objects.count() == residents_before
    assert not Household.objects.filter(grid=world.g2).exists()
    errors = list(ImportRowError.objects.filter(batch=batch).values_list("row_number", "column"))
    assert errors == [
        (5, "name"),
        (6, "id_number"),
        (7, "phone"),
        (7, "date_of_birth"),
        (7, "residence_type"),
    ]


def test_an_import_registers_people_and_households_and_loses_no_good_row(world, people):
    # when
    batch = do_import(world, csv_bytes(good_rows() + BAD_ROWS))
    # then
    assert batch.status == ImportStatus.COMMITTED
    assert batch.rows_created + batch.rows_error == 6
    imported = Resident.objects.filter(grid=world.g2)
    assert sorted(imported.values_list("name", flat=True)) == ["周三", "孙一", "孙二"]
    household = Household.objects.get(grid=world.g2, address="科苑路20号1栋101")
    assert sorted(m.resident.name for m in household.memberships.select_related("resident")) == ["孙一", "孙二"]
    spouse = HouseholdMembership.objects.get(resident__name="孙二")
    assert (spouse.relation, spouse.residence_type) == ("spouse", "registered")
    assert HouseholdMembership.objects.get(resident__name="周三").residence_type == "tenant"
    # encrypted at rest, found by blind index
    stored = Resident.objects.filter(name="孙一").values_list(raw("phone"), flat=True).get()
    assert "13500000001" not in stored
    assert Resident.objects.get(name="孙一").phone == "13500000001"


def test_lineage_names_the_source_and_import_set_of_each_value(world, people):
    batch = do_import(world, csv_bytes(good_rows()))

    person = Resident.objects.get(name="孙一")
    lineage = {f: (v.source, v.batch_id) for v in ValueLineage.objects.filter(resident=person) for f in v.fields}
    assert lineage["phone"] == (ImportSource.GRID_WORKER, batch.pk)
    assert lineage["id_number"] == (ImportSource.GRID_WORKER, batch.pk)


def test_an_exact_match_by_id_number_updates_by_source_priority(world, people):
    row = [["张三", "11010519491231002X", "13700000000", "", "", "", ""]]
    # a low-priority source does not overwrite what staff entered
    low = do_import(world, csv_bytes(row), prof=profile(world, "低", priority=30))
    assert low.rows_updated == 0
    assert Resident.objects.get(pk=people.head.pk).phone == "13912345678"
    # a household register extract (high priority) does
    high = do_import(
        world, csv_bytes(row), prof=profile(world, "户籍", priority=90, source=ImportSource.HOUSEHOLD_REGISTER)
    )
    assert high.rows_updated == 1
    assert high.rows_created == 0
    head = Resident.objects.get(pk=people.head.pk)
    assert head.phone == "13700000000"
    assert Resident.objects.filter(phone_index=head.phone_index).count() == 1
    # and a later lower source cannot overwrite the register's value
    row[0][2] = "13600000000"
    again = do_import(world, csv_bytes(row), prof=profile(world, "物业", priority=70, source=ImportSource.PROPERTY))
    assert again.rows_updated == 0


def test_a_same_name_birthday_and_similar_address_goes_to_review(world, people, client_for):
    # given 李梅 (1952-02-02) lives at the G1 household
    row = [["李梅", "", "13300000000", "1952-02-02", "南山区科苑路15号3栋1单元502", "配偶", ""]]
    # when
    batch = do_import(world, csv_bytes(row))
    # then
    assert (batch.rows_review, batch.rows_created) == (1, 0)
    review = ImportReview.objects.get()
    assert review.candidate_id == people.spouse.pk
    assert review.score >= actions.FUZZY_ADDRESS_THRESHOLD
    # and merging fills the phone
    response = client_for("community_worker_c1").post(
        f"/api/residents/import-reviews/{review.pk}/resolve/", {"decision": "merged"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Resident.objects.get(pk=people.spouse.pk).phone == "13300000000"
    again = client_for("community_worker_c1").post(
        f"/api/residents/import-reviews/{review.pk}/resolve/", {"decision": "dismissed"}, format="json"
    )
    assert again.status_code == 403  # no longer pending


def test_a_review_can_register_a_new_person(world, people):
    do_import(world, csv_bytes([["李梅", "", "", "1952-02-02", "南山区科苑路15号3栋1单元502", "", ""]]))
    review = ImportReview.objects.get()

    actions.resolve_review(review, actor=world.community_worker_c1, decision=ReviewStatus.CREATED)

    assert Resident.objects.filter(name="李梅").count() == 2


def test_a_different_address_is_a_new_person(world, people):
    batch = do_import(world, csv_bytes([["李梅", "", "", "1952-02-02", "宝安区新安街道99号", "", ""]]))

    assert (batch.rows_review, batch.rows_created) == (0, 1)


def test_a_repeated_id_number_in_the_file_is_reported(world, people):
    number = new_id(1985)
    batch = do_import(
        world, csv_bytes([["甲", number, "", "", "", "", ""], ["乙", number, "", "", "", "", ""]]), chunk_size=1
    )

    assert (batch.rows_created, batch.rows_error) == (1, 1)
    assert ImportRowError.objects.get().row_number == 3


def test_rollback_removes_what_the_import_added_and_restores_what_it_changed(world, people, client_for):
    # given
    rows = [*good_rows(), ["张三", "11010519491231002X", "13700000000", "", "", "", ""]]
    batch = do_import(world, csv_bytes(rows), prof=profile(world, "户籍", priority=90))
    assert Resident.objects.get(pk=people.head.pk).phone == "13700000000"
    before = ChangeRecord.objects.count()
    # when
    response = client_for("community_worker_c1").post(f"/api/residents/imports/{batch.pk}/rollback/")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rolled_back"
    assert ChangeRecord.objects.count() == before + 1
    assert not Resident.objects.filter(grid=world.g2).exists()
    assert not Household.objects.filter(grid=world.g2).exists()
    head = Resident.objects.get(pk=people.head.pk)
    assert head.phone == "13912345678"
    assert Resident.objects.filter(phone_index=head.phone_index).get() == head
    assert not ValueLineage.objects.filter(batch=batch).exists()
    with pytest.raises(ResidentError) as excinfo:
        actions.rollback_import(batch, actor=world.community_worker_c1)
    assert excinfo.value.code == ResidentErrorCode.IMPORT_NOT_ROLLBACKABLE


def test_an_interrupted_import_resumes_without_duplicates(world, people):
    # given an import that stops after its first chunk (rows 2-3)
    data = csv_bytes(good_rows())

    def crash(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        do_import(world, data, chunk_size=2, progress=crash)
    batch = ImportBatch.objects.get()
    assert (batch.rows_done, batch.rows_created) == (2, 2)
    # when it is resumed with the same file
    batch = do_import(world, data, chunk_size=2, resume=batch)
    # then every row is in once
    assert batch.rows_created == 3
    assert Resident.objects.filter(grid=world.g2).count() == 3


@pytest.mark.parametrize("workers", [0, 1])
def test_a_repeat_across_the_resume_point_is_still_reported_as_a_repeat(world, people, workers):
    # given a file whose fourth data row repeats the first one's ID number, imported in chunks
    # of two, and an import of it that stops after its first chunk (rows 2-3)
    good = good_rows()
    data = csv_bytes([*good, ["孙一", good[0][1], "13500000009", "", "科苑路9号", "户主", ""]])

    def crash(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        do_import(world, data, chunk_size=2, progress=crash)
    batch = ImportBatch.objects.get()
    assert batch.rows_done == 2
    # when it is resumed with the same file
    batch = do_import(world, data, chunk_size=2, resume=batch, workers=workers)
    # then the repeat is reported as in an uninterrupted import, and the first row's person
    # keeps the values of the first row (the repeat did not overwrite them as an update)
    assert (batch.rows_created, batch.rows_updated, batch.rows_error) == (3, 0, 1)
    error = ImportRowError.objects.get(batch=batch)
    assert (error.row_number, error.column) == (5, "id_number")
    assert error.reason == "the same ID number appears earlier in the file"
    first = Resident.objects.get(grid=world.g2, name="孙一")
    assert first.phone == "13500000001"


def test_xlsx_files_are_streamed_through_the_same_profile(world, people, tmp_path):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in good_rows():
        sheet.append(row)
    path = tmp_path / "台账.xlsx"
    book.save(path)

    with path.open("rb") as binary:
        batch = run_import(profile(world), binary, path.name, grid=world.g2, actor=world.community_worker_c1)

    assert batch.rows_created == 3
    assert HouseholdMembership.objects.get(resident__name="周三").residence_type == "tenant"


def test_a_file_without_the_mapped_columns_is_refused(world, people):
    with pytest.raises(ResidentError) as excinfo:
        do_import(world, csv_bytes([["x"]], header=["名字"]))
    assert excinfo.value.code == ResidentErrorCode.IMPORT_COLUMNS_MISSING
    assert "身份证号" in excinfo.value.detail


def test_the_command_shows_a_progress_bar_and_writes_the_error_report(world, people, tmp_path):
    profile(world)
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(good_rows() + BAD_ROWS))
    report = tmp_path / "errors.csv"
    out, err = StringIO(), StringIO()

    call_command(
        "import_residents", str(path), "--profile", "网格员台账", "--grid", world.g2.code, "--errors", str(report),
        stdout=out, stderr=err,
    )  # fmt: skip

    assert "3 registered" in out.getvalue()
    assert "3 with errors" in out.getvalue()
    assert report.read_text(encoding="utf-8-sig").splitlines()[0] == "row,column,reason"
    assert len(report.read_text(encoding="utf-8-sig").splitlines()) == 6


def test_the_error_report_downloads_as_csv(world, people, client_for):
    batch = do_import(world, csv_bytes(BAD_ROWS), dry_run=True)

    response = client_for("community_worker_c1").get(f"/api/residents/imports/{batch.pk}/errors/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "row,column,reason"
    assert lines[1].startswith("2,name,")


def test_upload_through_the_api(world, people, client_for):
    prof = profile(world)
    upload = SimpleUploadedFile("台账.csv", csv_bytes(good_rows()), content_type="text/csv")

    client = client_for("community_worker_c1")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/api/residents/imports/", {"file": upload, "profile": prof.pk, "grid": world.g2.pk}, format="multipart"
        )

    assert response.status_code == 202, response.content
    assert response.json()["status"] == ImportStatus.QUEUED  # as it was when the request answered
    location = response["Location"]
    assert location.endswith(f"/api/residents/imports/{response.json()['id']}/")
    done = client.get(location).json()
    assert (done["status"], done["rows_created"]) == (ImportStatus.COMMITTED, 3)


# --- authorisation matrix ---------------------------------------------------------------------


def upload_body(w):
    prof = profile(w)
    return {
        "file": SimpleUploadedFile("a.csv", csv_bytes(good_rows()[:1]), content_type="text/csv"),
        "profile": prof.pk,
        "grid": w.g2.pk,
    }


def committed(w):
    return do_import(w, csv_bytes(good_rows()[:1]))


def queued(w):
    """A set waiting for its background run (the task starts after commit, never in these tests)."""
    from gongzhi.residents.importer import submit_import

    upload = SimpleUploadedFile("a.csv", csv_bytes(good_rows()[:1]))
    return submit_import(profile(w), upload, grid=w.g2, actor=w.community_worker_c1, dry_run=False)


def failed(w):
    batch = actions.begin_import(queued(w), actor=w.community_worker_c1)
    return actions.fail_import(batch, actor=w.community_worker_c1, reason="测试")


def pending_review(w):
    do_import(w, csv_bytes([["李梅", "", "", "1952-02-02", "南山区科苑路15号3栋1单元502", "", ""]]))
    return ImportReview.objects.get()


CASES = [
    Case(
        "import profiles",
        "get",
        lambda w: (profile(w), "/api/residents/import-profiles/")[-1],
        allow=dict.fromkeys(("community_worker_c1", "street_official_s1"), 200)
        | dict.fromkeys(("community_worker_c3", "street_official_s2"), 200),
        default=403,
        expect_ids={"community_worker_c3": lambda w: set(), "street_official_s2": lambda w: set()},
    ),
    Case(
        "import profile save",
        "post",
        lambda w: "/api/residents/import-profiles/",
        body=lambda w: {"name": "民政名单", "source": "civil_affairs", "column_map": {"name": "姓名"}, "area": w.c1.pk},
        allow={
            "community_worker_c1": 201,
            "street_official_s1": 201,
            "community_worker_c3": 400,
            "street_official_s2": 400,
        },
        default=403,
    ),
    Case(
        "import upload",
        "post",
        lambda w: "/api/residents/imports/",
        body=upload_body,
        fmt="multipart",
        allow={
            "community_worker_c1": 202,
            "street_official_s1": 202,
            "community_worker_c3": 400,
            "street_official_s2": 400,
        },
        default=403,
        writes=1,  # queue_import (the run starts after commit: begin, one chunk, finish)
    ),
    Case(
        "import error report",
        "get",
        lambda w: f"/api/residents/imports/{committed(w).pk}/errors/",
        allow={"community_worker_c1": 200, "street_official_s1": 200},
        default=404,
    ),
    Case(
        "import set",
        "get",
        lambda w: f"/api/residents/imports/{queued(w).pk}/",
        allow={"community_worker_c1": 200, "street_official_s1": 200},
        default=404,
    ),
    Case(
        "import cancel",
        "post",
        lambda w: f"/api/residents/imports/{queued(w).pk}/cancel/",
        allow={"community_worker_c1": 200, "street_official_s1": 200},
        default=404,
    ),
    Case(
        "import resume",
        "post",
        lambda w: f"/api/residents/imports/{failed(w).pk}/resume/",
        allow={"community_worker_c1": 202, "street_official_s1": 202},
        default=404,
    ),
    Case(
        "import rollback",
        "post",
        lambda w: f"/api/residents/imports/{committed(w).pk}/rollback/",
        allow={"community_worker_c1": 200, "street_official_s1": 200},
        default=404,
    ),
    Case(
        "import review resolve",
        "post",
        lambda w: f"/api/residents/import-reviews/{pending_review(w).pk}/resolve/",
        body=lambda w: {"decision": "dismissed"},
        allow={"community_worker_c1": 200, "street_official_s1": 200},
        default=404,
    ),
]
ACTOR_SUBSET = [a for a in ACTORS if a not in {"resident_c3", "evaluator", "department_handler"}]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES, ACTOR_SUBSET))
def test_matrix(world, people, client_for, case, actor):
    world.people = people
    check(world, client_for, case, actor)


def _register(batch):
    """(name, phone, household address, relation) of everyone an import set registered."""
    people = Resident.objects.filter(grid=batch.grid).prefetch_related("memberships__household")
    return sorted((p.name, p.phone, *[(m.household.address, m.relation) for m in p.memberships.all()]) for p in people)


def test_a_pipelined_import_writes_the_same_register_and_reports_the_same_errors(world, people):
    # given a file of several chunks with bad and repeated rows
    good = good_rows()
    rows = [*good, *BAD_ROWS, ["孙一", good[0][1], "", "", "科苑路9号", "户主", ""]]
    rows += [[f"钱{i}", new_id(1950 + i), f"1380000{i:04d}", "", f"科苑路{i % 3}号", "子女", "常住"] for i in range(9)]
    data = csv_bytes(rows)
    # when it is imported once in this process and once through two preparing workers
    plain = do_import(world, data, chunk_size=4)
    plain_register = _register(plain)
    plain_errors = list(ImportRowError.objects.filter(batch=plain).values_list("row_number", "column", "reason"))
    actions.rollback_import(plain, actor=world.community_worker_c1)
    piped = do_import(world, data, chunk_size=4, workers=2)
    # then the register and the error report are the same
    assert (plain.rows_created, plain.rows_error) == (12, 4)
    assert (piped.rows_done, piped.rows_created, piped.rows_error) == (plain.rows_done, 12, 4)
    assert _register(piped) == plain_register
    piped_errors = list(ImportRowError.objects.filter(batch=piped).values_list("row_number", "column", "reason"))
    assert piped_errors == plain_errors
    assert (8, "id_number", "the same ID number appears earlier in the file") in piped_errors


def test_created_people_are_recorded_for_rollback_in_id_runs_on_postgresql(world, people):
    # when
    batch = do_import(world, csv_bytes(good_rows()), chunk_size=2)
    # then every registered person is covered once: by an id run (PostgreSQL) or a change row
    created = set(Resident.objects.filter(grid=world.g2).values_list("pk", flat=True))
    runs = ImportCreatedRange.objects.filter(batch=batch)
    in_runs = {pk for first, last in runs.values_list("first_id", "last_id") for pk in range(first, last + 1)}
    in_changes = set(ImportChange.objects.filter(batch=batch, created=True).values_list("resident_id", flat=True))
    if connection.vendor == "postgresql":
        assert (in_runs, in_changes) == (created, set())
        assert runs.count() == 2  # one run per chunk
    else:
        assert (in_runs, in_changes) == (set(), created)
    # and rollback removes exactly them
    actions.rollback_import(batch, actor=world.community_worker_c1)
    assert not Resident.objects.filter(pk__in=created).exists()
    assert not ImportCreatedRange.objects.filter(batch=batch).exists()
    assert Resident.objects.filter(pk=people.head.pk).exists()


def test_the_database_refuses_a_second_person_with_the_same_id_number_index(world, people):
    # given a person with an ID number (the import relies on this constraint under concurrency)
    person = Resident.objects.get(pk=people.head.pk)
    assert person.id_number_index
    # when another row gets the same blind index, then the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        Resident.objects.filter(pk=people.spouse.pk).update(id_number_index=person.id_number_index)
    # and people without an ID number may be many
    Resident.objects.filter(pk__in=[people.head.pk, people.spouse.pk]).update(id_number_index="")


@pytest.mark.parametrize("set_based", [True, False])
def test_foreign_keys_set_based_or_per_row_give_the_same_register_and_triggers_come_back(
    world, people, settings, set_based
):
    # given
    settings.GONGZHI_IMPORT_SET_BASED_FK = set_based
    # when
    batch = do_import(world, csv_bytes(good_rows()), chunk_size=2)
    # then
    assert batch.rows_created == 3
    assert HouseholdMembership.objects.filter(resident__grid=world.g2).count() == 3
    assert ValueLineage.objects.filter(batch=batch).count() == 3
    if connection.vendor == "postgresql":
        # the import's statements may run without row triggers; nothing after them does
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"
