"""Property tests: the stored-node tree agrees with a naive RFC 9162 recomputation, and
every honest proof verifies while any flipped bit, wrong index or wrong size is refused."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.ledger import merkle

MAX = 3000
LEAVES = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(MAX)]
STORE = merkle.MemoryStore()
STORE.extend(LEAVES)


class CountingStore:
    def __init__(self, inner: merkle.MemoryStore) -> None:
        self.inner, self.calls, self.keys = inner, 0, 0

    def get_nodes(self, keys):
        keys = list(keys)
        self.calls += 1
        self.keys += len(keys)
        return self.inner.get_nodes(keys)


def naive_mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = merkle.largest_power_of_two_below(n)
    return merkle.node_hash(naive_mth(leaves[:k]), naive_mth(leaves[k:]))


def naive_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = merkle.largest_power_of_two_below(n)
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_mth(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_mth(leaves[:k])]


def naive_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [naive_mth(leaves)]
    k = merkle.largest_power_of_two_below(n)
    if m <= k:
        return [*naive_subproof(m, leaves[:k], whole), naive_mth(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_mth(leaves[:k])]


def shape(index: int, size: int) -> list[bool] | None:
    """Which side each sibling of leaf ``index`` is on in a tree of ``size``."""
    if index >= size:
        return None
    return [start < index for start, _ in merkle.inclusion_ranges(index, size)]


def cshape(first: int, second: int) -> list[tuple[bool, bool]]:
    """Where each element of a consistency proof sits relative to the old tree's edge."""
    if first == second:
        return []
    power = first & (first - 1) == 0
    return [(power, end <= first) for _, end in merkle.consistency_ranges(first, second)]


def flip(proof: list[bytes], which: int, bit: int) -> list[bytes]:
    out = list(proof)
    b = bytearray(out[which])
    b[bit // 8] ^= 1 << (bit % 8)
    out[which] = bytes(b)
    return out


@st.composite
def index_and_size(draw):
    size = draw(st.integers(1, MAX))
    return draw(st.integers(0, size - 1)), size


@st.composite
def two_sizes(draw):
    second = draw(st.integers(2, MAX))
    return draw(st.integers(1, second - 1)), second


@settings(max_examples=150, deadline=None)
@given(st.integers(0, MAX))
def test_root_matches_naive_and_uses_one_fetch_of_log_n_nodes(size: int) -> None:
    store = CountingStore(STORE)
    assert merkle.root(store, size) == naive_mth(LEAVES[:size])
    assert store.calls <= 1
    assert store.keys <= max(size.bit_length(), 1)


@settings(max_examples=150, deadline=None)
@given(index_and_size(), st.data())
def test_inclusion_proof_matches_naive_verifies_and_rejects_tampering(pair, data) -> None:
    index, size = pair
    root = naive_mth(LEAVES[:size])
    store = CountingStore(STORE)
    # when a proof is generated from stored nodes
    proof = merkle.inclusion_proof(store, index, size)
    # then it is RFC 9162's PATH, fetched in one call, and it verifies
    assert proof == naive_path(index, LEAVES[:size])
    assert store.calls <= 1
    merkle.verify_inclusion(index, size, LEAVES[index], proof, root)
    # and any flipped bit, wrong index or wrong size is refused
    if proof:
        which = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        with pytest.raises(merkle.VerificationError):
            merkle.verify_inclusion(index, size, LEAVES[index], flip(proof, which, bit), root)
    with pytest.raises(merkle.VerificationError):
        merkle.verify_inclusion(index, size, flip([LEAVES[index]], 0, data.draw(st.integers(0, 255)))[0], proof, root)
    other_index = data.draw(st.integers(0, size).filter(lambda i: i != index))
    with pytest.raises(merkle.VerificationError):
        merkle.verify_inclusion(other_index, size, LEAVES[index], proof, root)
    # A size is refused unless it puts the leaf's siblings on exactly the same sides (then the
    # proof is the same computation; the signed checkpoint is what binds the size).
    other_size = data.draw(st.integers(1, MAX).filter(lambda s: s != size))
    if shape(index, other_size) != shape(index, size):
        with pytest.raises(merkle.VerificationError):
            merkle.verify_inclusion(index, other_size, LEAVES[index], proof, root)


@settings(max_examples=150, deadline=None)
@given(two_sizes(), st.data())
def test_consistency_proof_matches_naive_verifies_and_rejects_tampering(pair, data) -> None:
    first, second = pair
    r1, r2 = naive_mth(LEAVES[:first]), naive_mth(LEAVES[:second])
    store = CountingStore(STORE)
    proof = merkle.consistency_proof(store, first, second)
    assert proof == naive_subproof(first, LEAVES[:second], True)
    assert store.calls <= 1
    merkle.verify_consistency(first, second, r1, r2, proof)
    which = data.draw(st.integers(0, len(proof) - 1))
    with pytest.raises(merkle.VerificationError):
        merkle.verify_consistency(first, second, r1, r2, flip(proof, which, data.draw(st.integers(0, 255))))
    with pytest.raises(merkle.VerificationError):
        merkle.verify_consistency(first, second, flip([r1], 0, data.draw(st.integers(0, 255)))[0], r2, proof)
    other_first = data.draw(st.integers(1, second).filter(lambda s: s != first))
    if cshape(other_first, second) != cshape(first, second):
        with pytest.raises(merkle.VerificationError):
            merkle.verify_consistency(other_first, second, r1, r2, proof)
    other_second = data.draw(st.integers(first, MAX).filter(lambda s: s != second))
    if cshape(first, other_second) != cshape(first, second):
        with pytest.raises(merkle.VerificationError):
            merkle.verify_consistency(first, other_second, r1, r2, proof)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, MAX), st.integers(0, 200))
def test_builder_resumes_from_stored_frontier(size: int, more: int) -> None:
    # given a tree of some size whose builder is rebuilt from stored nodes (a restart)
    more = min(more, MAX - size)
    store = merkle.MemoryStore()
    store.extend(LEAVES[:size])
    resumed = merkle.TreeBuilder.resume(store, size)
    # when more leaves are appended
    for leaf in LEAVES[size : size + more]:
        store.put(resumed.append(leaf))
    # then it has the same root and nodes as a tree built in one go
    assert resumed.root() == naive_mth(LEAVES[: size + more])
    assert merkle.root(store, size + more) == resumed.root()


def test_append_costs_amortised_one_node_hash_per_leaf() -> None:
    builder = merkle.TreeBuilder()
    created = sum(len(builder.append(leaf)) for leaf in LEAVES[:1024])
    # 1024 leaves + 1023 complete internal subtrees, each hashed exactly once
    assert created == 2 * 1024 - 1


def test_proof_requests_outside_the_tree_are_refused() -> None:
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_proof(STORE, 5, 5)
    with pytest.raises(merkle.ProofError):
        merkle.consistency_proof(STORE, 0, 5)
    with pytest.raises(merkle.ProofError):
        merkle.consistency_proof(STORE, 6, 5)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 600), st.lists(st.integers(0, 300), max_size=5))
def test_bulk_extend_equals_one_by_one_appends(size: int, batches: list[int]) -> None:
    one, bulk = merkle.TreeBuilder.resume(STORE, size), merkle.TreeBuilder.resume(STORE, size)
    pos = size
    for count in batches:
        leaves = LEAVES[pos : pos + count]
        expected = [node for leaf in leaves for node in one.append(leaf)]
        assert sorted(bulk.extend(leaves)) == sorted(expected)
        assert bulk.root() == one.root()
        pos += len(leaves)
