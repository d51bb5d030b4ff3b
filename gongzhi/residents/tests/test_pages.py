"""Staff and resident pages: data-request queue, sharing agreements, police requests,
imports and the review queue, and a resident's "my data" page."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.residents import actions
from gongzhi.residents.choices import (
    AgreementStatus,
    ImportStatus,
    PoliceRequestStatus,
    RequestKind,
    RequestStatus,
    ReviewStatus,
)
from gongzhi.residents.models import (
    DataSubjectRequest,
    Disclosure,
    ImportBatch,
    ImportReview,
    PoliceRequest,
    Resident,
    SharingAgreement,
)
from gongzhi.residents.tests.test_import import csv_bytes, new_id, profile
from gongzhi.residents.tests.test_sharing import make_agreement

TODAY = timezone.localdate()


@pytest.fixture
def own(world, people):
    Resident.objects.filter(pk=people.head.pk).update(user=world.resident_c1)
    people.head.refresh_from_db()
    return people.head


def zh(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- data-subject requests ------------------------------------------------------------------------


@pytest.fixture
def late_and_fresh(world, people):
    late = actions.submit_data_request(people.head, kind=RequestKind.ACCESS, actor=world.grid_worker_g1)
    fresh = actions.submit_data_request(people.spouse, kind=RequestKind.CORRECTION, actor=world.grid_worker_g1)
    DataSubjectRequest.objects.filter(pk=late.pk).update(due_on=TODAY - datetime.timedelta(days=2))
    return late, fresh


def test_the_queue_lists_deadlines_and_marks_overdue_requests(world, late_and_fresh, client_for):
    late, fresh = late_and_fresh
    client = zh(client_for("community_worker_c1"))

    page = client.get("/residents/requests/")
    overdue_only = client.get("/residents/requests/?overdue=1")

    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(f'data-request-id="{late.pk}"') < html.index(f'data-request-id="{fresh.pk}"')
    assert html.count("data-overdue") == 1
    assert "逾期" in html
    assert f'data-request-id="{fresh.pk}"' not in overdue_only.content.decode()


@pytest.mark.parametrize(
    ("actor", "visible"),
    [
        ("community_worker_c1", True),
        ("grid_worker_g1", True),
        ("street_official_s1", True),
        ("community_worker_c3", False),
        ("street_official_s2", False),
        ("police_liaison", False),
        ("property_staff_c1", False),
        ("district_official", False),
    ],
)
def test_the_queue_shows_only_requests_in_scope(world, late_and_fresh, client_for, actor, visible):
    late, _ = late_and_fresh

    response = client_for(actor).get("/residents/requests/?status=open")
    detail = client_for(actor).get(f"/residents/requests/{late.pk}/")

    assert response.status_code == 200
    assert (f'data-request-id="{late.pk}"' in response.content.decode()) is visible
    assert detail.status_code == (200 if visible else 404)


def test_officials_see_masked_names_in_the_queue(world, late_and_fresh, client_for):
    html = client_for("street_official_s1").get("/residents/requests/").content.decode()

    assert "张*" in html
    assert "张三" not in html


def test_the_queue_query_count_does_not_grow(world, people, client_for, django_assert_max_num_queries):
    for person in (people.head, people.spouse, people.child):
        actions.submit_data_request(person, kind=RequestKind.ACCESS, actor=world.grid_worker_g1)
    client = client_for("community_worker_c1")
    client.get("/residents/requests/")  # warm caches (session, nav)
    with django_assert_max_num_queries(15):
        response = client.get("/residents/requests/")
    assert response.content.decode().count("data-request-id") == 3


def test_staff_complete_a_correction_with_a_resolution(world, late_and_fresh, client_for):
    _, fresh = late_and_fresh
    client = client_for("community_worker_c1")

    refused = client.post(f"/residents/requests/{fresh.pk}/complete/", {"resolution": ""}, follow=True)
    assert DataSubjectRequest.objects.get(pk=fresh.pk).status == RequestStatus.OPEN
    assert "resolution_required" in refused.content.decode()

    client.post(f"/residents/requests/{fresh.pk}/complete/", {"resolution": "已更正电话号码"})

    done = DataSubjectRequest.objects.get(pk=fresh.pk)
    assert done.status == RequestStatus.COMPLETED
    assert done.resolution == "已更正电话号码"
    assert done.handled_by == world.community_worker_c1


def test_a_refusal_needs_a_reason(world, late_and_fresh, client_for):
    late, _ = late_and_fresh
    client = client_for("community_worker_c1")

    client.post(f"/residents/requests/{late.pk}/refuse/", {"reason": ""})
    assert DataSubjectRequest.objects.get(pk=late.pk).status == RequestStatus.OPEN

    client.post(f"/residents/requests/{late.pk}/refuse/", {"reason": "<script>x</script> 查无此人 😀"})
    refused = DataSubjectRequest.objects.get(pk=late.pk)
    assert refused.status == RequestStatus.REFUSED
    page = client.get(f"/residents/requests/{late.pk}/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>x</script>" not in page


def test_completing_a_deletion_anonymises_the_person(world, people, client_for):
    deletion = actions.submit_data_request(people.spouse, kind=RequestKind.DELETION, actor=world.grid_worker_g1)
    client = zh(client_for("community_worker_c1"))
    assert "匿名化" in client.get(f"/residents/requests/{deletion.pk}/").content.decode()

    client.post(f"/residents/requests/{deletion.pk}/complete/", {"resolution": ""})

    person = Resident.objects.get(pk=people.spouse.pk)
    assert person.anonymised_at is not None
    assert person.phone == ""


@pytest.mark.parametrize("actor", ["grid_worker_g1", "street_official_s1"])
def test_only_handlers_may_complete_or_refuse(world, late_and_fresh, client_for, actor):
    late, _ = late_and_fresh
    client = client_for(actor)

    assert client.post(f"/residents/requests/{late.pk}/complete/", {"resolution": "x"}).status_code == 403
    assert client.post(f"/residents/requests/{late.pk}/refuse/", {"reason": "不予处理"}).status_code == 403
    assert DataSubjectRequest.objects.get(pk=late.pk).status == RequestStatus.OPEN
    assert "complete-form" not in client.get(f"/residents/requests/{late.pk}/").content.decode()


def test_out_of_scope_handlers_get_404(world, late_and_fresh, client_for):
    late, _ = late_and_fresh

    response = client_for("community_worker_c3").post(f"/residents/requests/{late.pk}/refuse/", {"reason": "不予处理"})

    assert response.status_code == 404


def test_handlers_see_the_export_form_others_do_not(world, late_and_fresh, client_for):
    late, _ = late_and_fresh

    assert "export-form" in client_for("community_worker_c1").get(f"/residents/requests/{late.pk}/").content.decode()
    assert "export-form" not in client_for("grid_worker_g1").get(f"/residents/requests/{late.pk}/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/residents/requests/")

    assert response.status_code == 302


# --- my data ---------------------------------------------------------------------------------------


def test_a_resident_sees_download_links_for_their_own_record(world, own, client_for):
    html = zh(client_for("resident_c1")).get("/residents/my-data/").content.decode()

    assert f"/api/residents/people/{own.pk}/export/?as=pdf" in html
    assert f"/api/residents/people/{own.pk}/export/?as=json" in html
    assert "我的信息" in html


def test_a_resident_files_a_correction_and_sees_it_listed(world, own, client_for):
    client = client_for("resident_c1")

    response = client.post("/residents/my-data/", {"kind": "correction", "details": "手机号已更换"}, follow=True)

    request = DataSubjectRequest.objects.get()
    assert (request.resident_id, request.kind, request.details) == (own.pk, RequestKind.CORRECTION, "手机号已更换")
    assert request.submitted_by == world.resident_c1
    assert 'data-testid="my-requests"' in response.content.decode()


def test_a_second_deletion_request_shows_the_error(world, own, client_for):
    client = client_for("resident_c1")
    client.post("/residents/my-data/", {"kind": "deletion"})

    response = client.post("/residents/my-data/", {"kind": "deletion"}, follow=True)

    assert DataSubjectRequest.objects.count() == 1
    assert "request_already_open" in response.content.decode()


def test_a_resident_cannot_ask_for_an_unknown_kind(world, own, client_for):
    client_for("resident_c1").post("/residents/my-data/", {"kind": "access_everything", "details": "x" * 5000})

    assert not DataSubjectRequest.objects.exists()


def test_an_account_without_a_record_sees_a_plain_message(world, people, client_for):
    response = client_for("resident_c3").get("/residents/my-data/")

    assert response.status_code == 200
    assert 'data-testid="no-record"' in response.content.decode()


def test_my_data_page_is_in_english_too(world, own, client_for):
    html = en(client_for("resident_c1")).get("/residents/my-data/").content.decode()

    assert "Download everything held about you" in html


# --- sharing agreements ------------------------------------------------------------------------------


def agreement_form(world, **overrides):
    data = {
        "organisation": world.orgs["property_c1"].pk,
        "purpose": "物业服务通知",
        "legal_basis": "PIPL 第十三条",
        "shared_fields": ["name", "phone"],
        "areas": [world.c1.pk],
        "valid_from": TODAY.isoformat(),
        "valid_until": (TODAY + datetime.timedelta(days=30)).isoformat(),
    }
    return {**data, **overrides}


def test_an_official_drafts_and_another_approves_an_agreement(world, people, client_for):
    drafted = client_for("street_official_s1").post("/residents/sharing/new/", agreement_form(world))
    agreement = SharingAgreement.objects.get()
    assert drafted.status_code == 302
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.fields == ["name", "phone"]

    own = client_for("street_official_s1").get(f"/residents/sharing/{agreement.pk}/").content.decode()
    assert "approve-form" not in own  # the author cannot approve
    client_for("district_official").post(f"/residents/sharing/{agreement.pk}/approve/")

    assert SharingAgreement.objects.get().status == AgreementStatus.APPROVED


def test_an_agreement_ending_before_it_starts_is_refused(world, client_for):
    form = agreement_form(world, valid_until=(TODAY - datetime.timedelta(days=1)).isoformat())

    response = client_for("street_official_s1").post("/residents/sharing/new/", form)

    assert response.status_code == 200
    assert not SharingAgreement.objects.exists()


@pytest.mark.parametrize("actor", ["community_worker_c1", "grid_worker_g1", "property_staff_c1", "police_liaison"])
def test_only_officials_draft_agreements(world, client_for, actor):
    assert client_for(actor).get("/residents/sharing/new/").status_code == 403
    assert client_for(actor).post("/residents/sharing/new/", agreement_form(world)).status_code == 403
    assert not SharingAgreement.objects.exists()


def test_revoking_needs_a_reason_and_the_log_lists_disclosures(world, people, client_for):
    agreement = make_agreement(world)
    client_for("property_staff_c1").get(f"/api/residents/sharing-agreements/{agreement.pk}/residents/")
    client = client_for("street_official_s1")

    client.post(f"/residents/sharing/{agreement.pk}/revoke/", {"reason": ""})
    assert SharingAgreement.objects.get().status == AgreementStatus.APPROVED
    page = client.get(f"/residents/sharing/{agreement.pk}/").content.decode()
    assert page.count("<tr>") == 1 + Disclosure.objects.count()
    client.post(f"/residents/sharing/{agreement.pk}/revoke/", {"reason": "合同终止"})

    assert SharingAgreement.objects.get().status == AgreementStatus.REVOKED


def test_the_organisation_sees_its_agreement_but_not_others(world, people, client_for):
    mine = make_agreement(world)
    other = make_agreement(world, organisation=world.orgs["housing_bureau"])
    client = client_for("property_staff_c1")

    listing = client.get("/residents/sharing/").content.decode()

    assert f"/residents/sharing/{mine.pk}/" in listing
    assert f"/residents/sharing/{other.pk}/" not in listing
    assert client.get(f"/residents/sharing/{other.pk}/").status_code == 404
    assert client_for("community_worker_c3").get(f"/residents/sharing/{mine.pk}/").status_code == 404


# --- police requests ----------------------------------------------------------------------------------


def police_form(**overrides):
    data = {
        "id_number": "11010519491231002X",
        "document_number": "粤公(粤海)调证字[2026]18号",
        "legal_basis": "刑事诉讼法第五十四条",
        "purpose": "核实联系人身份",
        "requested_fields": ["name", "phone"],
    }
    return {**data, **overrides}


def test_police_file_a_request_and_see_data_only_after_two_approvals(world, people, client_for):
    police = client_for("police_liaison")
    police.post("/residents/police/new/", police_form())
    request = PoliceRequest.objects.get()
    url = f"/residents/police/{request.pk}/"

    pending = police.get(url).content.decode()
    assert 'data-testid="result"' not in pending
    assert police.post(url).status_code == 200
    assert not Disclosure.objects.exists()

    client_for("street_official_s1").post(f"{url}approve/")
    client_for("street_official_s1").post(f"{url}approve/")  # the same official twice counts once
    assert PoliceRequest.objects.get().status == PoliceRequestStatus.PENDING
    client_for("district_official").post(f"{url}approve/")
    assert PoliceRequest.objects.get().status == PoliceRequestStatus.APPROVED

    result = police.post(url).content.decode()
    assert 'data-testid="result"' in result
    assert "13912345678" in result
    assert Disclosure.objects.get().police_request_id == request.pk


def test_police_cannot_file_about_people_outside_their_area(world, people, client_for):
    response = client_for("police_liaison").post(
        "/residents/police/new/", police_form(id_number=people.resident_g4.id_number)
    )

    assert response.status_code == 200
    assert not PoliceRequest.objects.exists()


def test_a_bad_id_number_is_a_form_error(world, people, client_for):
    response = client_for("police_liaison").post("/residents/police/new/", police_form(id_number="<script>"))

    assert response.status_code == 200
    assert not PoliceRequest.objects.exists()


@pytest.mark.parametrize("actor", ["community_worker_c1", "street_official_s1", "property_staff_c1"])
def test_only_police_liaisons_file_requests(world, client_for, actor):
    assert client_for(actor).get("/residents/police/new/").status_code == 403


def test_rejecting_needs_a_reason_and_others_cannot_read_the_result(world, people, client_for):
    client_for("police_liaison").post("/residents/police/new/", police_form())
    request = PoliceRequest.objects.get()
    url = f"/residents/police/{request.pk}/"

    client_for("street_official_s1").post(f"{url}reject/", {"reason": ""})
    assert PoliceRequest.objects.get().status == PoliceRequestStatus.PENDING
    assert client_for("community_worker_c1").post(f"{url}reject/", {"reason": "依据不足"}).status_code in (403, 404)
    client_for("street_official_s1").post(f"{url}reject/", {"reason": "依据不足"})

    assert PoliceRequest.objects.get().status == PoliceRequestStatus.REJECTED
    assert client_for("street_official_s1").post(url).status_code == 403  # officials never receive the data


# --- imports -------------------------------------------------------------------------------------------


def upload(client, world, prof, rows, *, dry_run=False):
    """Upload from the page; the background run starts after commit (run here, eagerly)."""
    from django.test import TestCase

    data = {"file": SimpleUploadedFile("名单.csv", csv_bytes(rows)), "profile": prof.pk, "grid": world.g1.pk}
    if dry_run:
        data["dry_run"] = "on"
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/residents/imports/", data)


def test_a_dry_run_reports_bad_rows_and_writes_nothing(world, people, client_for):
    prof = profile(world)
    client = client_for("community_worker_c1")
    before = Resident.objects.count()

    response = upload(client, world, prof, [["王五", new_id(), "13700000000", "", "科苑路1号", "", ""],
                                            ["", "bad", "x", "", "", "", ""]], dry_run=True)  # fmt: skip

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert batch.status == ImportStatus.DRY_RUN
    assert Resident.objects.count() == before
    page = client.get(f"/residents/imports/{batch.pk}/").content.decode()
    assert 'data-testid="dry-run-note"' in page
    report = client.get(f"/residents/imports/{batch.pk}/errors/")
    assert report["Content-Type"].startswith("text/csv")
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "row,column,reason"
    assert {line.split(",")[0] for line in lines[1:]} == {"3"}


def test_an_import_then_a_rollback_from_the_page(world, people, client_for):
    prof = profile(world)
    client = client_for("community_worker_c1")
    before = Resident.objects.count()
    upload(client, world, prof, [["王五", new_id(), "13700000000", "", "科苑路1号", "", ""]])
    batch = ImportBatch.objects.get()
    assert Resident.objects.count() == before + 1

    assert client_for("grid_worker_g1").post(f"/residents/imports/{batch.pk}/rollback/").status_code in (403, 404)
    client.post(f"/residents/imports/{batch.pk}/rollback/")

    assert ImportBatch.objects.get().status == ImportStatus.ROLLED_BACK
    assert Resident.objects.count() == before


def test_a_wrong_file_type_is_a_form_error(world, people, client_for):
    prof = profile(world)
    data = {"file": SimpleUploadedFile("x.exe", b"MZ"), "profile": prof.pk, "grid": world.g1.pk}

    response = client_for("community_worker_c1").post("/residents/imports/", data)

    assert response.status_code == 200
    assert not ImportBatch.objects.exists()


def test_grid_workers_cannot_upload(world, people, client_for):
    prof = profile(world)
    response = upload(client_for("grid_worker_g1"), world, prof, [["王五", new_id(), "", "", "", "", ""]])

    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_the_review_queue_resolves_an_uncertain_match(world, people, client_for):
    prof = profile(world)
    client = client_for("community_worker_c1")
    upload(client, world, prof, [["李梅", "", "13300000000", "1952-02-02", "南山区科苑路15号3栋1单元502", "配偶", ""]])
    review = ImportReview.objects.get()

    queue = client.get("/residents/imports/reviews/").content.decode()
    assert f'data-review-id="{review.pk}"' in queue
    assert 'data-testid="pending-reviews"' in client.get("/residents/imports/").content.decode()
    client.post(f"/residents/imports/reviews/{review.pk}/resolve/", {"decision": "bogus"})
    assert ImportReview.objects.get().status == ReviewStatus.PENDING
    client.post(f"/residents/imports/reviews/{review.pk}/resolve/", {"decision": "merged"})

    assert ImportReview.objects.get().status == ReviewStatus.MERGED
    assert Resident.objects.get(pk=people.spouse.pk).phone == "13300000000"
    assert (
        client_for("community_worker_c3").get("/residents/imports/reviews/").content.decode().count("data-review-id")
        == 0
    )


@pytest.mark.parametrize(
    "url",
    ["/residents/requests/", "/residents/sharing/", "/residents/police/", "/residents/imports/",
     "/residents/imports/reviews/", "/residents/my-data/"],
)  # fmt: skip
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_page_renders_in_both_languages(world, people, client_for, url, lang):
    client = client_for("street_official_s1" if "my-data" not in url else "resident_c1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang

    response = client.get(url)

    assert response.status_code == 200
    assert 'name="viewport"' in response.content.decode()


def test_a_running_import_shows_live_progress_and_stops_refreshing_when_done(world, people, client_for):
    import io

    from gongzhi.residents.importer import run_import

    prof = profile(world)
    rows = [["王五", new_id(), "", "", "科苑路1号", "", ""], ["", "bad", "x", "", "", "", ""]]
    actor = world.community_worker_c1
    batch = run_import(prof, io.BytesIO(csv_bytes(rows)), "名单.csv", grid=world.g1, actor=actor, finish=False)
    client = client_for("community_worker_c1")

    page = client.get(f"/residents/imports/{batch.pk}/").content.decode()
    progress = client.get(f"/residents/imports/{batch.pk}/progress.json").json()

    assert 'http-equiv="refresh"' in page
    assert 'data-testid="progress"' in page
    assert {k: progress[k] for k in ("id", "status", "running", "rows_done", "rows_created", "rows_updated",
                                     "rows_review", "rows_error", "rows_read")} == {
        "id": batch.pk, "status": ImportStatus.RUNNING, "running": True, "rows_done": 2, "rows_created": 1,
        "rows_updated": 0, "rows_review": 0, "rows_error": 1, "rows_read": 2,
    }  # fmt: skip
    assert client_for("community_worker_c3").get(f"/residents/imports/{batch.pk}/progress.json").status_code == 404

    actions.finish_import(batch, actor=actor)
    page = client.get(f"/residents/imports/{batch.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page
    assert client.get(f"/residents/imports/{batch.pk}/progress.json").json()["running"] is False


def test_import_progress_needs_a_login(world, people, client):
    response = client.get("/residents/imports/1/progress.json")

    assert response.status_code == 302
