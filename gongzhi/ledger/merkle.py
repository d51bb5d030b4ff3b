"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing, proofs and verification.

Pure Python, no Django: the database store and the in-memory store both implement
:class:`NodeStore`. A tree is addressed by *complete subtrees*: the node ``(level, index)``
is the root of the ``2**level`` leaves starting at ``index * 2**level``. Level 0 holds the
leaf hashes. Only complete subtrees are ever stored, so a node never changes once written.

Every range whose hash a root or proof needs starts at a position aligned to its largest
power-of-two part, so it splits into at most ``log2(n)`` stored complete subtrees
(:func:`range_keys`); a proof of ``log2(n)`` ranges therefore needs ``O(log² n)`` node keys
in the worst case but, in practice, each level is touched at most twice and all keys are
fetched in one call to :meth:`NodeStore.get_nodes`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

Key = tuple[int, int]  # (level, index)
Run = tuple[int, int, list[bytes]]  # (level, first index, consecutive node hashes)


class ProofError(ValueError):
    """A proof was requested for sizes or indexes that do not exist."""


class VerificationError(ValueError):
    """A proof does not verify."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162: the largest power of two strictly smaller than ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class NodeStore(Protocol):
    """Where stored complete-subtree hashes come from."""

    def get_nodes(self, keys: Iterable[Key]) -> dict[Key, bytes]:
        """Return the hashes for ``keys`` (all must exist)."""
        ...


# --- Ranges and the stored nodes they decompose into --------------------------------------


def range_keys(start: int, end: int) -> list[Key]:
    """The complete subtrees that make up leaves ``[start, end)``, left to right.

    ``start`` must be a multiple of the largest power of two ≤ ``end - start`` (true for every
    range used by RFC 9162's MTH recursion over a tree starting at 0).
    """
    keys: list[Key] = []
    pos = start
    size = end - start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, pos >> level))
            pos += 1 << level
    return keys


def fold_range(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its complete subtrees (left to right): the right-most fold."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.3.1 PATH(m, D[0:n]) as the list of ranges whose hashes form the path (leaf first)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    out: list[tuple[int, int]] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = largest_power_of_two_below(end - start)
        if m < k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start, m = start + k, m - k
    out.reverse()
    return out


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.4.1 PROOF(m, D[0:n]) as ranges (the order of the RFC's SUBPROOF)."""
    if not 0 < first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    if first == second:
        return []
    out: list[tuple[int, int]] = []
    start, end, m, whole = 0, second, first, True
    while True:
        n = end - start
        if m == n:
            if not whole:
                out.append((start, end))
            break
        k = largest_power_of_two_below(n)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start, m, whole = start + k, m - k, False
    out.reverse()
    return out


def _resolve(store: NodeStore, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    per_range = [range_keys(a, b) for a, b in ranges]
    wanted = {key for keys in per_range for key in keys}
    nodes = store.get_nodes(wanted) if wanted else {}
    return [fold_range([nodes[key] for key in keys]) for keys in per_range]


def root(store: NodeStore, size: int) -> bytes:
    """MTH(D[0:size]) from at most log2(size) stored nodes."""
    if size == 0:
        return EMPTY_ROOT
    return _resolve(store, [(0, size)])[0]


def inclusion_proof(store: NodeStore, index: int, size: int) -> list[bytes]:
    return _resolve(store, inclusion_ranges(index, size))


def inclusion_proof_and_root(store: NodeStore, index: int, size: int) -> tuple[list[bytes], bytes]:
    """The proof and the root it leads to, from one fetch of stored nodes."""
    *proof, tree_root = _resolve(store, [*inclusion_ranges(index, size), (0, size)])
    return proof, tree_root


def consistency_proof(store: NodeStore, first: int, second: int) -> list[bytes]:
    return _resolve(store, consistency_ranges(first, second))


# --- Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ----------------------------------------


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise VerificationError(f"{what} is {len(value)} bytes, expected {HASH_SIZE}")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` implies for ``leaf`` at ``index`` in a tree of ``size``."""
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is outside a tree of size {size}")
    _check_hash(leaf, "leaf hash")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check_hash(p, "proof element")
        if sn == 0:
            raise VerificationError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("inclusion proof is too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes) -> None:
    """Raise :class:`VerificationError` unless ``leaf`` is at ``index`` in the tree with ``expected_root``."""
    _check_hash(expected_root, "root hash")
    if root_from_inclusion_proof(index, size, leaf, proof) != expected_root:
        raise VerificationError("inclusion proof does not lead to the expected root")


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> None:
    """Raise :class:`VerificationError` unless the tree ``second_root`` extends ``first_root``.

    Size 0 is refused: every tree trivially extends the empty one, so a caller whose last
    known size is 0 has nothing to check (and must say so explicitly).
    """
    if first < 0 or second < first:
        raise VerificationError(f"size {second} cannot extend size {first}")
    if first == second:
        if proof:
            raise VerificationError("equal sizes need an empty proof")
        if first == 0 and (first_root != EMPTY_ROOT or second_root != EMPTY_ROOT):
            raise VerificationError("an empty tree has the empty root")
        if first_root != second_root:
            raise VerificationError("equal sizes but different roots")
        return
    if first == 0:
        raise VerificationError("a consistency proof from the empty tree proves nothing")
    if not proof:
        raise VerificationError("empty consistency proof")
    _check_hash(first_root, "first root")
    _check_hash(second_root, "second root")
    for p in proof:
        _check_hash(p, "proof element")
    path = list(proof)
    if first & (first - 1) == 0:  # exact power of two: the old root is itself a node of the new tree
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("consistency proof is too short")
    if fr != first_root:
        raise VerificationError("consistency proof does not lead to the first root")
    if sr != second_root:
        raise VerificationError("consistency proof does not lead to the second root")


# --- Building: append leaves, emit each complete subtree once ---------------------------


class TreeBuilder:
    """Appends leaf hashes to a tree and reports every complete subtree as it completes.

    It holds only the right edge of the tree (the ``frontier``: one node per set bit of the
    size), so appending costs one leaf hash plus, amortised, one node hash, and resuming after
    a restart needs just those ``log2(n)`` stored nodes.
    """

    def __init__(self, size: int = 0, frontier: Sequence[bytes] = ()) -> None:
        if len(frontier) != size.bit_count():
            raise ValueError("the frontier must hold one hash per set bit of the size")
        self.size = size
        # (level, hash) from the largest (left-most) subtree to the smallest.
        self._frontier: list[tuple[int, bytes]] = [
            (level, h) for level, h in zip(sorted(_set_bits(size), reverse=True), frontier, strict=True)
        ]

    @classmethod
    def resume(cls, store: NodeStore, size: int) -> TreeBuilder:
        keys = range_keys(0, size)
        nodes = store.get_nodes(keys) if keys else {}
        return cls(size, [nodes[k] for k in keys])

    def append(self, leaf: bytes) -> list[tuple[Key, bytes]]:
        """Add one leaf hash; return the new complete subtrees ``((level, index), hash)``, leaf first."""
        index = self.size
        created = [((0, index), leaf)]
        level, h = 0, leaf
        while self._frontier and self._frontier[-1][0] == level:
            _, left = self._frontier.pop()
            h = node_hash(left, h)
            level += 1
            created.append(((level, index >> level), h))
        self._frontier.append((level, h))
        self.size += 1
        return created

    def extend_levels(self, leaves: Sequence[bytes]) -> list[Run]:
        """Append many leaf hashes at once; return the new complete subtrees as runs.

        A run ``(level, first_index, hashes)`` holds consecutive new nodes of one level (level
        0: the leaves themselves). The result equals repeated :meth:`append`, but every level
        is hashed in one list comprehension and no per-node key is built, so a bulk append
        costs little more than its SHA-256 calls.
        """
        frontier = dict(self._frontier)
        runs: list[Run] = []
        sha = hashlib.sha256
        prefix = NODE_PREFIX
        cur, start, level = list(leaves), self.size, 0
        new_size = self.size + len(cur)
        while cur:
            runs.append((level, start, cur))
            it = iter(cur)
            nxt: list[bytes] = []
            count = len(cur)
            if start & 1:  # the first new node pairs with the stored left sibling
                nxt.append(sha(prefix + frontier[level] + next(it)).digest())
                count -= 1
            nxt += [sha(prefix + a + b).digest() for a, b in zip(it, it, strict=False)]  # pairs; an odd last one stays
            if count & 1:
                frontier[level] = cur[-1]
            else:
                frontier.pop(level, None)
            cur = nxt
            start >>= 1
            level += 1
        self.size = new_size
        self._frontier = [(lv, frontier[lv]) for lv in sorted(_set_bits(new_size), reverse=True)]
        return runs

    def extend(self, leaves: Sequence[bytes]) -> list[tuple[Key, bytes]]:
        """:meth:`extend_levels` as ``((level, index), hash)`` pairs, like :meth:`append`."""
        return [
            ((level, first + i), h) for level, first, hashes in self.extend_levels(leaves) for i, h in enumerate(hashes)
        ]

    def root(self) -> bytes:
        return fold_range([h for _, h in self._frontier])


def _set_bits(n: int) -> list[int]:
    return [i for i in range(n.bit_length()) if n >> i & 1]


class MemoryStore:
    """An in-memory :class:`NodeStore` (tests, benchmarks, the offline auditor).

    The complete subtrees of level ``l`` are exactly indexes ``0 … size >> l`` (exclusive), so
    each level is one Python list and a node is ``levels[l][i]``: no per-node key or dict.
    """

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = []
        self.builder = TreeBuilder()

    @property
    def size(self) -> int:
        return self.builder.size

    @property
    def nodes(self) -> dict[Key, bytes]:
        """Every stored node by key (a fresh dict: for tests and small trees)."""
        return {(level, i): h for level, hashes in enumerate(self.levels) for i, h in enumerate(hashes)}

    def put(self, created: Iterable[tuple[Key, bytes]]) -> None:
        """Store nodes reported by :meth:`TreeBuilder.append` (in order of creation)."""
        for (level, index), h in created:
            while len(self.levels) <= level:
                self.levels.append([])
            if index != len(self.levels[level]):
                raise ValueError(f"node {level}/{index} is out of order")
            self.levels[level].append(h)

    def append(self, leaf: bytes) -> None:
        self.put(self.builder.append(leaf))

    def extend(self, leaves: Iterable[bytes]) -> None:
        for level, first, hashes in self.builder.extend_levels(list(leaves)):
            while len(self.levels) <= level:
                self.levels.append([])
            if first != len(self.levels[level]):
                raise ValueError(f"run {level}/{first} is out of order")
            self.levels[level] += hashes

    def get_nodes(self, keys: Iterable[Key]) -> dict[Key, bytes]:
        levels = self.levels
        return {k: levels[k[0]][k[1]] for k in keys}
