"""gongzhi-witness and gongzhi-verify, run as separate processes against a live server."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from gongzhi.ledger import merkle, queries, triggers
from gongzhi.ledger.actions import register_witness
from gongzhi.ledger.models import Checkpoint, Cosignature, LedgerLeaf, LogState
from gongzhi.ledger.note import sign_checkpoint
from gongzhi.ledger.tests.conftest import LOG_SIGNER
from gongzhi.ledger.tests.factories import sealed_log
from gongzhi.ledger.tests.tool_path import TOOL_SRC

LOG_KEY = str(LOG_SIGNER.verifier())


def tool(module: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(TOOL_SRC)}
    return subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", f"gongzhi_witness.{module}", *args], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.fixture
def api(live_server):
    """The ledger API of a live server holding 25 sealed entries."""
    sealed_log(25)
    yield f"{live_server.url}/api/ledger"
    triggers.remove(connection)  # let the test database be flushed


@pytest.fixture
def witness_key(tmp_path: Path, world) -> Path:
    key = tmp_path / "witness.key"
    result = tool("witness", "keygen", "--name", "witness.police.test/w1", "--out", str(key))
    assert result.returncode == 0, result.stderr
    register_witness("witness.police.test/w1", verifier_key=result.stdout.strip(), actor=world.users["security_admin"])
    return key


def run_witness(api: str, key: Path, state: Path) -> subprocess.CompletedProcess:
    return tool("witness", "--url", api, "--log-key", LOG_KEY, "--key-file", str(key), "--state-dir", str(state))


@pytest.mark.django_db(transaction=True)
def test_witness_cosigns_growing_log(api, witness_key, tmp_path) -> None:
    # given a witness that has seen nothing yet (the log holds 25 events and its registration)
    size = queries.get_tree_size()
    first = run_witness(api, witness_key, tmp_path / "state")
    assert first.returncode == 0, first.stderr
    assert Cosignature.objects.filter(checkpoint__tree_size=size).count() == 1
    # when the log grows and the witness runs again
    sealed_log(6)
    second = run_witness(api, witness_key, tmp_path / "state")
    # then it verified consistency from the old size and cosigned the new checkpoint
    assert second.returncode == 0, second.stderr
    assert Cosignature.objects.filter(checkpoint__tree_size=size + 6).count() == 1


@pytest.mark.django_db(transaction=True)
def test_witness_refuses_a_rewritten_history(api, witness_key, tmp_path) -> None:
    # given a witness that cosigned size 25
    assert run_witness(api, witness_key, tmp_path / "state").returncode == 0
    # when the operator (who holds the log key) publishes a checkpoint of a different history
    sealed_log(3)
    size = queries.get_tree_size()
    forged_root = merkle.leaf_hash(b"another history")
    note = sign_checkpoint(LOG_SIGNER.name, size, forged_root, [LOG_SIGNER])
    Checkpoint.objects.create(tree_size=size, root_hash=forged_root, note=note, key_id=LOG_SIGNER.key_id.hex())
    result = run_witness(api, witness_key, tmp_path / "state")
    # then the witness refuses to cosign and says why
    assert result.returncode == 2
    assert "FORK" in result.stderr
    assert not Cosignature.objects.filter(checkpoint__root_hash=forged_root).exists()


@pytest.mark.django_db(transaction=True)
def test_verify_inclusion_of_a_record(api, tmp_path) -> None:
    record = tmp_path / "record.json"
    record.write_text(json.dumps(json.loads(LedgerLeaf.objects.get(index=9).data), indent=2, ensure_ascii=False))
    ok = tool("verify", "--log-key", LOG_KEY, "inclusion", "--url", api, "--record", str(record))
    assert ok.returncode == 0, ok.stderr
    assert "entry 9" in ok.stdout
    record.write_text(record.read_text().replace("WO-9", "WO-99"))
    bad = tool("verify", "--log-key", LOG_KEY, "inclusion", "--url", api, "--record", str(record))
    assert bad.returncode == 1


@pytest.mark.django_db(transaction=True)
def test_verify_consistency_between_two_checkpoints(api, tmp_path) -> None:
    old = tmp_path / "old"
    old.write_text(Checkpoint.objects.latest().note)
    sealed_log(4)
    new = tmp_path / "new"
    new.write_text(Checkpoint.objects.latest().note)
    result = tool("verify", "--log-key", LOG_KEY, "consistency", "--url", api, str(old), str(new))
    assert result.returncode == 0, result.stderr
    assert "size 29 extends size 25" in result.stdout


def _dump(tmp_path: Path) -> tuple[Path, dict]:
    data = {"entries": list(queries.export_rows())}
    return tmp_path / "dump.json", data


def _audit(api: str, path: Path, data: dict) -> subprocess.CompletedProcess:
    path.write_text(json.dumps(data, ensure_ascii=False))
    return tool("verify", "--log-key", LOG_KEY, "audit", str(path), "--url", api)


@pytest.mark.django_db(transaction=True)
def test_audit_of_an_honest_dump_passes(api, tmp_path) -> None:
    path, data = _dump(tmp_path)
    result = _audit(api, path, data)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db(transaction=True)
def test_audit_names_an_edited_entry(api, tmp_path) -> None:
    path, data = _dump(tmp_path)
    data["entries"][5]["data"] = data["entries"][5]["data"].replace("WO-5", "WO-X")
    result = _audit(api, path, data)
    assert result.returncode == 1
    assert "TAMPERED entry 5:" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_audit_names_an_entry_edited_together_with_its_hash(api, tmp_path) -> None:
    path, data = _dump(tmp_path)
    forged = data["entries"][17]["data"].replace("WO-17", "WO-X")
    data["entries"][17].update(data=forged, leaf_hash=merkle.leaf_hash(forged.encode()).hex())
    result = _audit(api, path, data)
    assert result.returncode == 1
    assert "TAMPERED entry 17:" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_audit_names_a_deleted_entry(api, tmp_path) -> None:
    path, data = _dump(tmp_path)
    del data["entries"][11]
    result = _audit(api, path, data)
    assert result.returncode == 1
    assert "TAMPERED entry 11:" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_audit_names_reordered_entries(api, tmp_path) -> None:
    path, data = _dump(tmp_path)
    a, b = data["entries"][3], data["entries"][4]
    a["data"], b["data"] = b["data"], a["data"]
    a["leaf_hash"], b["leaf_hash"] = b["leaf_hash"], a["leaf_hash"]
    result = _audit(api, path, data)
    assert result.returncode == 1
    assert "TAMPERED entry 3:" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_audit_of_a_database_tampered_in_place(api, tmp_path) -> None:
    # given someone with database rights rewrote entry 20 (data and hash) in the live database
    triggers.remove(connection)
    leaf = LedgerLeaf.objects.get(index=20)
    forged = leaf.data.replace("WO-20", "WO-X")
    LedgerLeaf.objects.filter(index=20).update(data=forged, leaf_hash=merkle.leaf_hash(forged.encode()))
    # when an auditor exports the database and audits it against the signed checkpoint
    path, data = _dump(tmp_path)
    result = _audit(api, path, data)
    # then entry 20 is named
    assert result.returncode == 1
    assert "TAMPERED entry 20:" in result.stdout
    assert LogState.objects.get().tree_size == 25
    assert base64.b64encode(bytes(Checkpoint.objects.latest().root_hash))
