"""gongzhi-witness: check that the log only grew since the last checkpoint seen, then cosign.

State (the last checkpoint this witness cosigned) lives in ``--state-dir``. A checkpoint that
is smaller than, or not consistent with, the stored one is a fork or a rewritten history:
the witness refuses to cosign, keeps its state, prints the evidence and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from gongzhi_witness import merkle
from gongzhi_witness.client import ClientError, LedgerClient
from gongzhi_witness.note import NoteError, Signer, Verifier, parse_checkpoint

FORK = 2


def keygen(args: argparse.Namespace) -> int:
    signer = Signer.generate(args.name)
    path = Path(args.out)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(signer.signer_key() + "\n")
    print(str(signer.verifier()))
    return 0


def run(args: argparse.Namespace) -> int:
    log_key = Verifier.parse(args.log_key)
    signer = Signer.parse(Path(args.key_file).read_text())
    client = LedgerClient(args.url)
    state_dir = Path(args.state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    state_file = state_dir / "checkpoint"
    text, new = client.checkpoint(log_key)
    if state_file.exists():
        old = parse_checkpoint(state_file.read_text())
        try:
            if new.size < old.size:
                raise merkle.VerificationError(f"the log shrank from {old.size} to {new.size} entries")
            if new.size == old.size:
                merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, [])
            elif old.size > 0:
                proof = client.consistency(old.size, new.size)
                merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)
        except merkle.VerificationError as exc:
            print(f"FORK: refusing to cosign size {new.size}: {exc}", file=sys.stderr)
            print(f"last cosigned checkpoint:\n{state_file.read_text()}\nserved checkpoint:\n{text}", file=sys.stderr)
            return FORK
    line = signer.cosign_line(new.body, int(time.time()))
    client.post_json(
        "cosignatures",
        {"tree_size": new.size, "root_hash": new.body.split("\n")[2], "signature": line.strip()},
    )
    tmp = state_file.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(state_file)
    print(f"cosigned {log_key.name} at size {new.size}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongzhi-witness", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    gen = sub.add_parser("keygen", help="create a witness key; prints the verifier key to register")
    gen.add_argument("--name", required=True)
    gen.add_argument("--out", required=True)
    parser.add_argument("--url", help="ledger API base, e.g. https://host/api/ledger")
    parser.add_argument("--log-key", help="the log's verifier key (name+keyid+base64)")
    parser.add_argument("--key-file", help="this witness's signer key file")
    parser.add_argument("--state-dir", default=os.path.expanduser("~/.gongzhi-witness"))
    args = parser.parse_args(argv)
    try:
        if args.command == "keygen":
            return keygen(args)
        if not (args.url and args.log_key and args.key_file):
            parser.error("--url, --log-key and --key-file are required")
        return run(args)
    except (ClientError, NoteError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
