"""Authorisation matrix for every audit endpoint: only the audit administrator gets in.

The system and security administrators are refused like everyone else (三员分立).
The pages answer 404 to everyone else, anonymous included; the API answers 403 to
anonymous requests (as every API endpoint) and 404 to signed-in users.
"""

from __future__ import annotations

import pytest

from gongzhi.audit.models import ChangeRecord
from gongzhi.audit.tests.factories import write_record
from gongzhi.testing.matrix import Case, check, matrix_params


@pytest.fixture
def record(world):
    return write_record(world.c1, verb="probe", actor=world.system_admin)


def _record_id(world) -> int:
    return ChangeRecord.objects.filter(verb="probe").values_list("pk", flat=True).get()


ONLY_AUDIT_ADMIN = {"audit_admin": 200}

CASES = [
    Case("audit page list", "get", lambda w: "/audit/", allow=ONLY_AUDIT_ADMIN, default=404, anonymous=404),
    Case(
        "audit page detail",
        "get",
        lambda w: f"/audit/{_record_id(w)}/",
        allow=ONLY_AUDIT_ADMIN,
        default=404,
        anonymous=404,
    ),
    Case("audit csv export", "get", lambda w: "/audit/export.csv", allow=ONLY_AUDIT_ADMIN, default=404, anonymous=404),
    Case(
        "audit api list",
        "get",
        lambda w: "/api/audit/changes/",
        allow=ONLY_AUDIT_ADMIN,
        default=404,
        anonymous=403,
        expect_ids={"audit_admin": lambda w: {_record_id(w)}},
    ),
    Case(
        "audit api detail", "get", lambda w: f"/api/audit/changes/{_record_id(w)}/", allow=ONLY_AUDIT_ADMIN, default=404
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, record, case, actor):
    check(world, client_for, case, actor)


@pytest.mark.parametrize("actor", ["system_admin", "security_admin"])
def test_the_other_administrators_cannot_export(world, client_for, record, actor):
    response = client_for(actor).get("/audit/export.csv")

    assert response.status_code == 404
    assert not ChangeRecord.objects.filter(verb="audit_export").exists()
