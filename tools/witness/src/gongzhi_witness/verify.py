"""gongzhi-verify: check the ledger without trusting the server.

    gongzhi-verify inclusion --url URL --log-key KEY (--record FILE | --leaf-hash HEX)
    gongzhi-verify consistency --url URL --log-key KEY OLD_CHECKPOINT NEW_CHECKPOINT
    gongzhi-verify audit DUMP --log-key KEY (--checkpoint FILE | --url URL)

Exit status 0 = verified, 1 = verification failed (the reason is printed), 3 = usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gongzhi_witness import merkle
from gongzhi_witness.client import ClientError, LedgerClient
from gongzhi_witness.jcs import CanonicalJSONError, canonicalize
from gongzhi_witness.note import Checkpoint, NoteError, Verifier, parse_checkpoint

FAILED, ERROR = 1, 3


def _checkpoint_file(path: str, log_key: Verifier) -> Checkpoint:
    checkpoint = parse_checkpoint(Path(path).read_text())
    checkpoint.verify(log_key)
    return checkpoint


def inclusion(args: argparse.Namespace, log_key: Verifier) -> int:
    if args.record:
        leaf = merkle.leaf_hash(canonicalize(json.loads(Path(args.record).read_text())))
    else:
        leaf = bytes.fromhex(args.leaf_hash)
    client = LedgerClient(args.url)
    _, checkpoint = client.checkpoint(log_key)
    try:
        body = client.inclusion(leaf, checkpoint.size)
    except ClientError as exc:
        raise merkle.VerificationError(f"no entry with leaf hash {leaf.hex()} in the log ({exc})") from exc
    merkle.verify_inclusion(body["index"], checkpoint.size, leaf, body["proof"], checkpoint.root_hash)
    print(f"OK: entry {body['index']} is included in {checkpoint.origin} at size {checkpoint.size}")
    return 0


def consistency(args: argparse.Namespace, log_key: Verifier) -> int:
    old = _checkpoint_file(args.old, log_key)
    new = _checkpoint_file(args.new, log_key)
    if old.size == 0 or old.size == new.size:
        merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, []) if old.size else None
    else:
        proof = LedgerClient(args.url).consistency(old.size, new.size)
        merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)
    print(f"OK: size {new.size} extends size {old.size}")
    return 0


def _entries(path: str) -> list[dict[str, Any]]:
    data = json.loads(Path(path).read_text())
    return data["entries"] if isinstance(data, dict) else data


def audit_entries(
    entries: list[dict[str, Any]], checkpoint: Checkpoint, client: LedgerClient | None = None
) -> list[str]:
    """Every problem found in a dump of the log, each naming the entry at fault."""
    problems: list[str] = []
    leaves: list[bytes] = []
    for position, entry in enumerate(entries):
        if entry.get("index") != position:
            problems.append(
                f"entry {position}: missing or out of order (found index {entry.get('index')} at position {position})"
            )
            break
        recomputed = merkle.leaf_hash(entry["data"].encode("utf-8"))
        if entry.get("leaf_hash") and bytes.fromhex(entry["leaf_hash"]) != recomputed:
            problems.append(f"entry {position}: its data does not match its leaf hash (edited)")
        leaves.append(recomputed)
    size = checkpoint.size
    if len(leaves) < size:
        problems.append(f"entry {len(leaves)}: the dump stops at {len(leaves)} entries but the checkpoint has {size}")
        return problems
    if merkle.root_of(leaves[:size]) == checkpoint.root_hash:
        return problems
    if client is None:
        problems.append(f"the dump's first {size} entries do not hash to the checkpoint's root (give --url to locate)")
        return problems

    def good(m: int) -> bool:
        if m == 0:
            return True
        prefix_root = merkle.root_of(leaves[:m])
        if m == size:
            return prefix_root == checkpoint.root_hash
        try:
            merkle.verify_consistency(m, size, prefix_root, checkpoint.root_hash, client.consistency(m, size))
        except merkle.VerificationError:
            return False
        return True

    lo, hi = 0, size  # invariant: prefix lo is proven, prefix hi is not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if good(mid):
            lo = mid
        else:
            hi = mid
    problems.append(f"entry {hi - 1}: differs from the entry the signed checkpoint commits to (tampered)")
    return problems


def audit(args: argparse.Namespace, log_key: Verifier) -> int:
    client = LedgerClient(args.url) if args.url else None
    if args.checkpoint:
        checkpoint = _checkpoint_file(args.checkpoint, log_key)
    elif client is not None:
        checkpoint = client.checkpoint(log_key)[1]
    else:
        raise ClientError("give --checkpoint or --url")
    entries = _entries(args.dump)
    problems = audit_entries(entries, checkpoint, client)
    for problem in problems:
        print(f"TAMPERED {problem}")
    if problems:
        return FAILED
    print(
        f"OK: {checkpoint.size} entries match the signed checkpoint ({len(entries) - checkpoint.size} newer unchecked)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongzhi-verify", description=__doc__)
    parser.add_argument("--log-key", required=True, help="the log's verifier key (name+keyid+base64)")
    sub = parser.add_subparsers(dest="command", required=True)
    inc = sub.add_parser("inclusion")
    inc.add_argument("--url", required=True)
    group = inc.add_mutually_exclusive_group(required=True)
    group.add_argument("--record")
    group.add_argument("--leaf-hash")
    con = sub.add_parser("consistency")
    con.add_argument("--url", required=True)
    con.add_argument("old")
    con.add_argument("new")
    aud = sub.add_parser("audit")
    aud.add_argument("dump")
    aud.add_argument("--checkpoint")
    aud.add_argument("--url")
    args = parser.parse_args(argv)
    try:
        log_key = Verifier.parse(args.log_key)
        handler = {"inclusion": inclusion, "consistency": consistency, "audit": audit}[args.command]
        return handler(args, log_key)
    except (merkle.VerificationError, NoteError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return FAILED
    except (ClientError, CanonicalJSONError, OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ERROR


if __name__ == "__main__":
    sys.exit(main())
