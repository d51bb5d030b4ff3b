"""RFC 9162 Merkle hashing and proof verification (standard library only).

This mirrors the verification half of ``gongzhi.ledger.merkle`` so that the witness and
the verifier do not depend on the server's code. The same public test vectors run
against both implementations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class VerificationError(ValueError):
    """A proof does not verify."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_of(leaves: Iterable[bytes]) -> bytes:
    """MTH of all leaf hashes, streaming, O(log n) memory."""
    stack: list[tuple[int, bytes]] = []
    for leaf in leaves:
        level, h = 0, leaf
        while stack and stack[-1][0] == level:
            h = node_hash(stack.pop()[1], h)
            level += 1
        stack.append((level, h))
    if not stack:
        return EMPTY_ROOT
    acc = stack[-1][1]
    for _, h in reversed(stack[:-1]):
        acc = node_hash(h, acc)
    return acc


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
