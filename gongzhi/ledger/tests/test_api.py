"""The public ledger API and the verification page."""

from __future__ import annotations

import base64
import time

import pytest
from rest_framework.test import APIClient

from gongzhi.ledger import merkle
from gongzhi.ledger.actions import register_witness
from gongzhi.ledger.models import Cosignature, LedgerLeaf
from gongzhi.ledger.note import parse_checkpoint
from gongzhi.ledger.tests.conftest import LOG_SIGNER, WITNESS
from gongzhi.ledger.tests.factories import sealed_log
from gongzhi.testing.matrix import Case, check, matrix_params

pytestmark = pytest.mark.django_db


def _b(text: str) -> bytes:
    return base64.b64decode(text)


@pytest.fixture
def log(db):
    sealed_log(10)


PUBLIC = {"anonymous": 200, "default": 200}
CASES = [
    Case("latest checkpoint", "get", lambda w: "/api/ledger/checkpoint", **PUBLIC),
    Case("checkpoint history", "get", lambda w: "/api/ledger/checkpoints/", **PUBLIC),
    Case("inclusion by index", "get", lambda w: "/api/ledger/proof/inclusion?index=3", **PUBLIC),
    Case("consistency", "get", lambda w: "/api/ledger/proof/consistency?first=4&second=10", **PUBLIC),
    Case("entries", "get", lambda w: "/api/ledger/entries?start=0&end=10", **PUBLIC),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES, actors=["anonymous", "resident_c1", "audit_admin"]))
def test_read_endpoints_are_public(log, world, client_for, case, actor) -> None:
    check(world, client_for, case, actor)


def test_latest_checkpoint_is_a_signed_note_that_verifies(log) -> None:
    response = APIClient().get("/api/ledger/checkpoint")
    assert response["Content-Type"].startswith("text/plain")
    checkpoint = parse_checkpoint(response.content.decode())
    checkpoint.verify(LOG_SIGNER.verifier())
    assert checkpoint.size == 10


def test_inclusion_proof_by_hash_verifies_against_the_checkpoint(log) -> None:
    leaf = LedgerLeaf.objects.get(index=6)
    body = APIClient().get(f"/api/ledger/proof/inclusion?leaf_hash={bytes(leaf.leaf_hash).hex()}").json()
    checkpoint = parse_checkpoint(APIClient().get("/api/ledger/checkpoint").content.decode())
    merkle.verify_inclusion(
        6, body["tree_size"], bytes(leaf.leaf_hash), [_b(p) for p in body["proof"]], checkpoint.root_hash
    )


def test_consistency_proof_verifies_between_checkpoints(log) -> None:
    history = APIClient().get("/api/ledger/checkpoints/").json()["results"]
    sealed_log(7)
    body = APIClient().get("/api/ledger/proof/consistency?first=10&second=17").json()
    new = parse_checkpoint(APIClient().get("/api/ledger/checkpoint").content.decode())
    merkle.verify_consistency(10, 17, _b(history[0]["root_hash"]), new.root_hash, [_b(p) for p in body["proof"]])


@pytest.mark.parametrize(
    ("url", "code", "field"),
    [
        ("/api/ledger/proof/inclusion?index=x", "invalid", "index"),
        ("/api/ledger/proof/inclusion", "invalid", "non_field_errors"),
        ("/api/ledger/proof/inclusion?leaf_hash=zz", "invalid", "leaf_hash"),
        ("/api/ledger/proof/consistency?first=9&second=3", "invalid", "first"),
        ("/api/ledger/entries?start=5&end=1", "invalid", "end"),
    ],
)
def test_bad_queries_get_field_errors(log, url: str, code: str, field: str) -> None:
    response = APIClient().get(url)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["fields"]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/api/ledger/proof/inclusion?index=10", "no_such_leaf"),
        ("/api/ledger/proof/inclusion?index=1&tree_size=11", "no_such_size"),
        ("/api/ledger/proof/consistency?first=3&second=11", "no_such_size"),
        ("/api/ledger/entries?start=0&end=5000", "range_too_large"),
    ],
)
def test_requests_beyond_the_log_get_domain_errors(log, url: str, code: str) -> None:
    response = APIClient().get(url)
    assert response.status_code == 422
    assert response.json()["code"] == code


def test_reads_take_a_bounded_number_of_queries(log, django_assert_max_num_queries) -> None:
    sealed_log(40)
    client = APIClient()
    with django_assert_max_num_queries(6):
        client.get("/api/ledger/proof/inclusion?index=33")
    with django_assert_max_num_queries(4):
        client.get("/api/ledger/proof/consistency?first=7&second=50")
    with django_assert_max_num_queries(2):
        client.get("/api/ledger/entries?start=0&end=50")
    with django_assert_max_num_queries(4):
        client.get("/api/ledger/checkpoints/")


def _cosign_request(timestamp: int | None = None, signer=WITNESS) -> dict:
    checkpoint = parse_checkpoint(APIClient().get("/api/ledger/checkpoint").content.decode())
    line = signer.cosign_line(checkpoint.body, timestamp or int(time.time()))
    return {
        "tree_size": checkpoint.size,
        "root_hash": base64.b64encode(checkpoint.root_hash).decode(),
        "signature": line,
    }


def test_registered_witness_cosigns_and_the_checkpoint_shows_it(log, world) -> None:
    # given a registered witness
    register_witness(WITNESS.name, verifier_key=str(WITNESS.verifier()), actor=world.users["security_admin"])
    # when it posts a cosignature
    response = APIClient().post("/api/ledger/cosignatures", _cosign_request(), format="json")
    # then it is stored and appended to the served checkpoint
    assert response.status_code == 201
    served = parse_checkpoint(APIClient().get("/api/ledger/checkpoint").content.decode())
    assert WITNESS.name in served.cosignatures([WITNESS.verifier()])
    # and posting it again creates nothing new
    again = APIClient().post("/api/ledger/cosignatures", _cosign_request(timestamp=1), format="json")
    assert again.status_code == 200
    assert Cosignature.objects.count() == 1


def test_cosignature_from_an_unregistered_key_is_refused(log) -> None:
    response = APIClient().post("/api/ledger/cosignatures", _cosign_request(), format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_witness"


def test_forged_cosignature_is_refused(log, world) -> None:
    register_witness(WITNESS.name, verifier_key=str(WITNESS.verifier()), actor=world.users["security_admin"])
    body = _cosign_request()
    raw = bytearray(base64.b64decode(body["signature"].split(" ")[2]))
    raw[-1] ^= 1
    body["signature"] = f"\u2014 {WITNESS.name} {base64.b64encode(bytes(raw)).decode()}"
    response = APIClient().post("/api/ledger/cosignatures", body, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "bad_cosignature"


@pytest.mark.urls("gongzhi.ledger.tests.urls")
def test_verify_page_finds_a_pasted_record(log, client) -> None:
    leaf = LedgerLeaf.objects.get(index=4)
    # given a resident pasting the published record, re-indented (canonical JSON makes it the same record)
    import json

    pasted = json.dumps(json.loads(leaf.data), indent=2, ensure_ascii=False)
    response = client.post("/ledger/verify/", {"record": pasted})
    assert response.status_code == 200
    assert response.context["result"]["included"] is True
    assert response.context["result"]["leaf"].index == 4


@pytest.mark.urls("gongzhi.ledger.tests.urls")
def test_verify_page_reports_an_altered_record_as_not_found(log, client) -> None:
    leaf = LedgerLeaf.objects.get(index=4)
    response = client.post("/ledger/verify/", {"record": leaf.data.replace("WO-4", "WO-9999")})
    assert response.context["result"]["included"] is False
    by_hash = client.post("/ledger/verify/", {"record": bytes(leaf.leaf_hash).hex()})
    assert by_hash.context["result"]["included"] is True


@pytest.mark.urls("gongzhi.ledger.tests.urls")
def test_verify_page_rejects_garbage_with_a_field_error(log, client) -> None:
    response = client.post("/ledger/verify/", {"record": "not json {"})
    assert response.status_code == 200
    assert "record" in response.context["form"].errors
