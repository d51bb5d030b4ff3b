"""Every public RFC 6962/9162 vector, against the server's core and the standalone verifier."""

from __future__ import annotations

from types import ModuleType

import pytest

from gongzhi.ledger import merkle
from gongzhi.ledger.tests import tool_path
from gongzhi.ledger.tests.vectors import b64, load, load_json

tool_merkle = tool_path.load("merkle")
IMPLEMENTATIONS = [pytest.param(merkle, id="server"), pytest.param(tool_merkle, id="tool")]
INCLUSION = load("inclusion")
CONSISTENCY = load("consistency")


def _outcome(check) -> bool:
    try:
        check()
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize(("name", "case"), INCLUSION, ids=[n for n, _ in INCLUSION])
def test_inclusion_vector(impl: ModuleType, name: str, case: dict) -> None:
    # given a transparency-dev inclusion case
    proof = [b64(p) for p in case["proof"] or []]
    # when it is verified
    ok = _outcome(
        lambda: impl.verify_inclusion(
            case["leafIdx"], case["treeSize"], b64(case["leafHash"]), proof, b64(case["root"])
        )
    )
    # then it is accepted exactly when the vector says so
    assert ok is not case["wantErr"], name


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize(("name", "case"), CONSISTENCY, ids=[n for n, _ in CONSISTENCY])
def test_consistency_vector(impl: ModuleType, name: str, case: dict) -> None:
    proof = [b64(p) for p in case["proof"] or []]
    ok = _outcome(
        lambda: impl.verify_consistency(case["size1"], case["size2"], b64(case["root1"]), b64(case["root2"]), proof)
    )
    assert ok is not case["wantErr"], name


def test_vector_counts_cover_invalid_cases() -> None:
    # the suites really contain cases that must be rejected
    assert sum(c["wantErr"] for _, c in INCLUSION) > 50
    assert sum(c["wantErr"] for _, c in CONSISTENCY) > 50


def _cctv_store() -> merkle.MemoryStore:
    store = merkle.MemoryStore()
    store.extend(merkle.leaf_hash(row["leaf_data"].encode()) for row in load_json("cctv/merkle_tree.json"))
    return store


def test_cctv_roots_for_every_size() -> None:
    # given the leaves "a".."p" appended one by one
    tree = load_json("cctv/merkle_tree.json")
    store = _cctv_store()
    for size, row in enumerate(tree, start=1):
        # then the leaf hashes and the root of every prefix match
        assert merkle.leaf_hash(row["leaf_data"].encode()) == b64(row["leaf_hash"])
        assert merkle.root(store, size) == b64(row["root_hash"])


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_cctv_inclusion_proofs_are_generated_and_verified(impl: ModuleType) -> None:
    store = _cctv_store()
    for row in load_json("cctv/inclusion-valid.json"):
        proof = merkle.inclusion_proof(store, row["leaf_index"], row["tree_size"])
        assert proof == [b64(p) for p in row["inclusion_path"]]
        impl.verify_inclusion(row["leaf_index"], row["tree_size"], b64(row["leaf_hash"]), proof, b64(row["root_hash"]))


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_cctv_consistency_proofs_are_generated_and_verified(impl: ModuleType) -> None:
    store = _cctv_store()
    for row in load_json("cctv/consistency-valid.json"):
        old, new = row["old_size"], row["new_size"]
        expected = [b64(p) for p in row["consistency_path"]]
        if old == 0:
            # every tree extends the empty one: there is nothing to prove or generate
            assert expected == []
            continue
        assert merkle.consistency_proof(store, old, new) == expected
        impl.verify_consistency(old, new, b64(row["old_root"]), b64(row["new_root"]), expected)


def test_google_ct_hash_and_root_vectors() -> None:
    data = load_json("google-ct.json")
    assert merkle.EMPTY_ROOT.hex() == data["empty_root"]
    for leaf_hex, want in data["leaf_hash_vectors"]:
        assert merkle.leaf_hash(bytes.fromhex(leaf_hex)).hex() == want
    for left, right, want in data["node_hash_vectors"]:
        assert merkle.node_hash(bytes.fromhex(left), bytes.fromhex(right)).hex() == want
    store = merkle.MemoryStore()
    store.extend(merkle.leaf_hash(bytes.fromhex(h)) for h in data["leaves_hex"])
    for size, want in enumerate(data["roots_by_size_1_to_8"], start=1):
        assert merkle.root(store, size).hex() == want
        assert tool_merkle.root_of(store.levels[0][:size]).hex() == want
    for first, second, root1, root2, path in data["consistency_proofs"]:
        proof = merkle.consistency_proof(store, first, second)
        assert [p.hex() for p in proof] == path
        merkle.verify_consistency(first, second, bytes.fromhex(root1), bytes.fromhex(root2), proof)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_real_ct_log_audit_path_verifies(impl: ModuleType) -> None:
    case = load_json("google-ct.json")["real_log_inclusion"]
    path = [bytes.fromhex(p) for p in case["audit_path"]]
    args = (case["leaf_index"], case["tree_size"], bytes.fromhex(case["leaf_hash"]), path)
    impl.verify_inclusion(*args, bytes.fromhex(case["root_hash"]))
    with pytest.raises(ValueError, match="inclusion"):
        impl.verify_inclusion(case["leaf_index"] + 1, case["tree_size"], *args[2:], bytes.fromhex(case["root_hash"]))
