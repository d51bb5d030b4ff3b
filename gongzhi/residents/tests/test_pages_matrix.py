"""Authorisation matrix of the residents pages: every page and form post x every actor.

GET pages use the shared harness. Form posts redirect (302) on success, so they are checked
here: 302 with exactly one change record for the allowed actors, and for everyone else the
status given and no change record at all."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gongzhi.audit.models import ChangeRecord
from gongzhi.residents import actions
from gongzhi.residents.choices import RequestKind
from gongzhi.residents.models import (
    DataSubjectRequest,
    ImportBatch,
    ImportReview,
    PoliceRequest,
    Resident,
    SharingAgreement,
)
from gongzhi.residents.tests.test_import import csv_bytes, do_import, failed, queued
from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import ACTORS

TODAY = timezone.localdate()


def data_request(w):
    return DataSubjectRequest.objects.first() or actions.submit_data_request(
        w.people.head, kind=RequestKind.CORRECTION, actor=w.grid_worker_g1
    )


def draft_agreement(w):
    return SharingAgreement.objects.first() or actions.create_agreement(
        organisation=w.orgs["property_c1"], purpose="物业服务通知", legal_basis="合同", fields=["name"],
        areas=[w.c1], valid_from=TODAY, valid_until=TODAY + datetime.timedelta(days=9), actor=w.street_official_s1,
    )  # fmt: skip


def police_request(w):
    if PoliceRequest.objects.exists():
        return PoliceRequest.objects.get()
    return actions.file_police_request(
        w.people.head, organisation=w.orgs["police_s1"], actor=w.police_liaison, document_number="调证1号",
        legal_basis="刑诉法", purpose="核实身份", fields=["name"],
    )  # fmt: skip


def batch(w):
    if not ImportBatch.objects.exists():
        do_import(w, csv_bytes([["李梅", "", "", "1952-02-02", "南山区科苑路15号3栋1单元502", "", ""],
                                ["", "bad", "", "", "", "", ""]]))  # fmt: skip
    return ImportBatch.objects.get()


def review(w):
    batch(w)
    return ImportReview.objects.get()


HANDLERS_C1 = {"community_worker_c1": 200}
QUEUE_VIEWERS = {"grid_worker_g1": 200, "community_worker_c1": 200, "street_official_s1": 200}
SHARING_VIEWERS = {"community_worker_c1": 200, "street_official_s1": 200, "district_official": 200,
                   "property_staff_c1": 200}  # fmt: skip
POLICE_VIEWERS = {"street_official_s1": 200, "district_official": 200, "police_liaison": 200}
IMPORTERS = {"community_worker_c1": 200, "street_official_s1": 200}
LOGGED_IN_LIST = dict.fromkeys([a for a in ACTORS if a != "anonymous"], 200)

GET_CASES = [
    Case("request queue", "get", lambda w: "/residents/requests/", allow=LOGGED_IN_LIST, anonymous=302),
    Case("request detail", "get", lambda w: f"/residents/requests/{data_request(w).pk}/",
         allow={**QUEUE_VIEWERS, "resident_c1": 404}, anonymous=302),
    Case("my data", "get", lambda w: "/residents/my-data/", allow=LOGGED_IN_LIST, anonymous=302),
    Case("agreement list", "get", lambda w: "/residents/sharing/", allow=LOGGED_IN_LIST, anonymous=302),
    Case("agreement form", "get", lambda w: "/residents/sharing/new/",
         allow={"street_official_s1": 200, "street_official_s2": 200, "district_official": 200}, default=403,
         anonymous=302),
    Case("agreement detail", "get", lambda w: f"/residents/sharing/{draft_agreement(w).pk}/",
         allow=SHARING_VIEWERS, anonymous=302),
    Case("police list", "get", lambda w: "/residents/police/", allow=LOGGED_IN_LIST, anonymous=302),
    Case("police form", "get", lambda w: "/residents/police/new/", allow={"police_liaison": 200}, default=403,
         anonymous=302),
    Case("police detail", "get", lambda w: f"/residents/police/{police_request(w).pk}/", allow=POLICE_VIEWERS,
         anonymous=302),
    Case("import list", "get", lambda w: "/residents/imports/", allow=LOGGED_IN_LIST, anonymous=302),
    Case("import detail", "get", lambda w: f"/residents/imports/{batch(w).pk}/", allow=IMPORTERS, anonymous=302),
    Case("import progress panel", "get", lambda w: f"/residents/imports/{queued(w).pk}/progress/", allow=IMPORTERS,
         anonymous=302),
    Case("import progress JSON", "get", lambda w: f"/residents/imports/{queued(w).pk}/progress.json",
         allow=IMPORTERS, anonymous=302),
    Case("import error report", "get", lambda w: f"/residents/imports/{batch(w).pk}/errors/", allow=IMPORTERS,
         anonymous=302),
    Case("review queue", "get", lambda w: "/residents/imports/reviews/", allow=LOGGED_IN_LIST, anonymous=302),
]  # fmt: skip


@pytest.fixture
def w(world, people):
    world.people = people
    Resident.objects.filter(pk=people.head.pk).update(user=None)
    return world


@pytest.mark.parametrize(("case", "actor"), matrix_params(GET_CASES))
def test_page_matrix(w, client_for, case, actor):
    check(w, client_for, case, actor)


#: (name, url, body, {actor: status}) — unlisted actors get 404 (out of scope) unless noted.
POSTS = [
    ("complete request", lambda w: f"/residents/requests/{data_request(w).pk}/complete/",
     {"resolution": "已更正电话号码"},
     {"community_worker_c1": 302, "grid_worker_g1": 403, "street_official_s1": 403}, 404),
    ("refuse request", lambda w: f"/residents/requests/{data_request(w).pk}/refuse/", {"reason": "查无此人"},
     {"community_worker_c1": 302, "grid_worker_g1": 403, "street_official_s1": 403}, 404),
    ("approve agreement", lambda w: f"/residents/sharing/{draft_agreement(w).pk}/approve/", {},
     # the author (street_official_s1) may not approve their own draft
     {"district_official": 302, "street_official_s1": 403, "community_worker_c1": 403,
      "property_staff_c1": 403}, 404),
    ("revoke agreement", lambda w: f"/residents/sharing/{draft_agreement(w).pk}/revoke/", {"reason": "合同终止"},
     {"district_official": 302, "street_official_s1": 302, "community_worker_c1": 403, "property_staff_c1": 403},
     404),
    ("approve police request", lambda w: f"/residents/police/{police_request(w).pk}/approve/", {},
     {"district_official": 302, "street_official_s1": 302, "police_liaison": 403}, 404),
    ("reject police request", lambda w: f"/residents/police/{police_request(w).pk}/reject/", {"reason": "依据不足"},
     {"district_official": 302, "street_official_s1": 302, "police_liaison": 403}, 404),
    ("retrieve police data (pending)", lambda w: f"/residents/police/{police_request(w).pk}/", {},
     {"police_liaison": 200, "district_official": 403, "street_official_s1": 403}, 404),
    ("rollback import", lambda w: f"/residents/imports/{batch(w).pk}/rollback/", {},
     {"community_worker_c1": 302, "street_official_s1": 302}, 404),
    ("cancel import", lambda w: f"/residents/imports/{queued(w).pk}/cancel/", {},
     {"community_worker_c1": 302, "street_official_s1": 302}, 404),
    ("resume import", lambda w: f"/residents/imports/{failed(w).pk}/resume/", {},
     {"community_worker_c1": 302, "street_official_s1": 302}, 404),
    ("resolve review", lambda w: f"/residents/imports/reviews/{review(w).pk}/resolve/", {"decision": "dismissed"},
     {"community_worker_c1": 302, "street_official_s1": 302}, 404),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "url", "body", "allow", "default", "actor"),
    [pytest.param(*p, a, id=f"{p[0]}|{a}") for p in POSTS for a in ACTORS],
)
def test_post_matrix(w, client_for, name, url, body, allow, default, actor):
    target = url(w)
    before = ChangeRecord.objects.count()

    response = client_for(actor).post(target, body)

    want = 302 if actor == "anonymous" else allow.get(actor, default)
    assert response.status_code == want, (name, actor, response.status_code)
    written = ChangeRecord.objects.count() - before
    if want == 302 and actor != "anonymous":
        assert written == 1, (name, actor, written)
        assert "/accounts/" not in response["Location"]
    else:
        assert written == 0, (name, actor, written)
