"""End-to-end check: the witness and verifier, installed alone, against a RUNNING Gongzhi server.

    .venv/bin/python scripts/ledger_witness_e2e.py          # ≈ 1 minute; prints "N passed, N failed"

1. builds a separate virtual environment under /tmp from ``tools/witness`` (uv if present, else
   ``python3 -m venv`` + pip) and checks that it cannot import Django or Gongzhi;
2. starts ``manage.py runserver 127.0.0.1:8150`` on a scratch SQLite database with a scratch
   log key, and puts governance events on the log;
3. runs ``gongzhi-witness`` and ``gongzhi-verify`` from that environment: cosigning a growing
   log, an inclusion proof of a record, a consistency proof between two checkpoints, a clean
   audit of a dump, an audit that names an entry edited in the database, and a witness that
   refuses (exit 2) a rewritten history served under the same key.

Exit status 0 when every check passed. Everything lives in /tmp/gongzhi-ledger-e2e; the server
is stopped (by its pid) at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/gongzhi-ledger-e2e")  # noqa: S108 (a scratch directory the brief asks for)
VENV = WORK / "venv"
PORT = 8150
API = f"http://127.0.0.1:{PORT}/api/ledger"
PYTHON = sys.executable  # the project's interpreter, for manage.py only
WITNESS_NAME = "witness.police.e2e/w1"

SEED = """
from django.db import transaction
from gongzhi.core import context
from gongzhi.ledger import events
from gongzhi.ledger.tasks import seal_ledger
with context.acting_as(None, source="e2e"), transaction.atomic():
    for i in range({start}, {end}):
        events.work_order_transition(
            number=f"GZ20260101-{{i:06d}}", step="dispatch", from_status="submitted",
            to_status="{to}", event_id=i, organisation_id=7,
        )
seal_ledger()
"""

REGISTER = """
from gongzhi.core import context
from gongzhi.ledger.actions import register_witness
with context.acting_as(None, source="e2e"):
    register_witness({name!r}, verifier_key={key!r}, actor=None, organisation_label="e2e police")
"""

results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    results.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'} {name}" + (f" — {detail}" if detail and not ok else ""), flush=True)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, **kw)  # noqa: S603


def server_env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        GONGZHI_LEDGER_KEY_FILE=str(WORK / "log-signing-key"),
        GONGZHI_LEDGER_ORIGIN="e2e.gongzhi.local/ledger",
        GONGZHI_RUN_SCHEDULER="false",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = run([PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT)
    if result.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result


def seed(env: dict[str, str], start: int, end: int, to: str = "dispatched") -> None:
    manage(env, "shell", "-c", SEED.format(start=start, end=end, to=to))


def fetch(path: str) -> bytes:
    with urllib.request.urlopen(f"{API}{path}", timeout=10) as response:  # noqa: S310 (our local server)
        return response.read()


def start_server(env: dict[str, str]) -> subprocess.Popen:
    log = (WORK / "server.log").open("a")
    server = subprocess.Popen(  # noqa: S603
        [PYTHON, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(120):
        try:
            fetch("/checkpoint")
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server exited; see {WORK / 'server.log'}") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not answer on port 8150")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def build_venv() -> Path:
    uv = shutil.which("uv") or str(ROOT / ".venv-bootstrap" / "bin" / "uv")
    if Path(uv).exists():
        steps = [[uv, "venv", "--quiet", "--python", "python3", str(VENV)]]
        steps.append(
            [uv, "pip", "install", "--quiet", "--python", str(VENV / "bin" / "python"), str(ROOT / "tools" / "witness")]
        )
    else:
        steps = [
            ["python3", "-m", "venv", str(VENV)],
            [str(VENV / "bin" / "pip"), "install", "-q", str(ROOT / "tools" / "witness")],
        ]
    for step in steps:
        result = run(step, env={k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")})
        if result.returncode:
            raise SystemExit(f"building the witness environment failed: {' '.join(step)}\n{result.stderr}")
    return VENV / "bin"


def main() -> int:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    bin_dir = build_venv()
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE")}

    def tool(name: str, *args: str) -> subprocess.CompletedProcess:
        return run([str(bin_dir / name), *args], env=clean, cwd=WORK)

    isolated = run([str(bin_dir / "python"), "-c", "import django"], env=clean, cwd=WORK)
    isolated_gz = run([str(bin_dir / "python"), "-c", "import gongzhi"], env=clean, cwd=WORK)
    check(
        "the witness environment is separate (no Django, no Gongzhi)",
        bool(isolated.returncode and isolated_gz.returncode),
    )
    check(
        "gongzhi-witness and gongzhi-verify are installed",
        (bin_dir / "gongzhi-witness").exists() and (bin_dir / "gongzhi-verify").exists(),
    )

    env = server_env(WORK / "log.sqlite3")
    manage(env, "migrate", "--verbosity", "0")
    seed(env, 0, 40)
    log_key = manage(env, "ledger_key").stdout.splitlines()[0].strip()
    server = start_server(env)
    try:
        key_file = WORK / "witness.key"
        keygen = tool("gongzhi-witness", "keygen", "--name", WITNESS_NAME, "--out", str(key_file))
        check("witness keygen", keygen.returncode == 0, keygen.stderr)
        manage(env, "shell", "-c", REGISTER.format(name=WITNESS_NAME, key=keygen.stdout.strip()))
        state = WORK / "witness-state"
        witness_args = ["--url", API, "--log-key", log_key, "--key-file", str(key_file), "--state-dir", str(state)]

        first = tool("gongzhi-witness", *witness_args)
        check("the witness cosigns the first checkpoint it sees", first.returncode == 0, first.stdout + first.stderr)
        old_checkpoint = fetch("/checkpoint").decode()
        check("the served checkpoint carries the witness's cosignature", f"— {WITNESS_NAME} " in old_checkpoint)
        (WORK / "old.txt").write_text(old_checkpoint)

        seed(env, 40, 75)
        second = tool("gongzhi-witness", *witness_args)
        check(
            "the witness checks consistency and cosigns the grown log",
            second.returncode == 0,
            second.stdout + second.stderr,
        )
        new_checkpoint = fetch("/checkpoint").decode()
        (WORK / "new.txt").write_text(new_checkpoint)

        entries = json.loads(fetch("/entries?start=17&end=18"))
        entry = entries["entries"][0] if isinstance(entries, dict) else entries[0]
        (WORK / "record.json").write_text(entry["data"])
        inclusion = tool("gongzhi-verify", "--log-key", log_key, "inclusion", "--url", API, "--record", "record.json")
        check("gongzhi-verify inclusion of a record", inclusion.returncode == 0, inclusion.stdout + inclusion.stderr)
        forged = json.loads(entry["data"])
        forged["event"]["to"] = "closed"
        (WORK / "forged.json").write_text(json.dumps(forged))
        bad = tool("gongzhi-verify", "--log-key", log_key, "inclusion", "--url", API, "--record", "forged.json")
        check("a changed record is not in the log (exit 1)", bad.returncode == 1, bad.stdout + bad.stderr)

        consistency = tool("gongzhi-verify", "--log-key", log_key, "consistency", "--url", API, "old.txt", "new.txt")
        check(
            "gongzhi-verify consistency between two checkpoints",
            consistency.returncode == 0,
            consistency.stdout + consistency.stderr,
        )

        manage(env, "ledger_export", "-o", str(WORK / "dump.json"))
        audit = tool("gongzhi-verify", "--log-key", log_key, "audit", "dump.json", "--url", API)
        check("gongzhi-verify audit of a clean dump", audit.returncode == 0, audit.stdout + audit.stderr)

        with sqlite3.connect(WORK / "log.sqlite3") as db:  # an attacker with the database owner's rights
            db.execute("DROP TRIGGER IF EXISTS ledger_ledgerleaf_no_update")
            db.execute("UPDATE ledger_ledgerleaf SET data = replace(data, 'dispatched', 'closed') WHERE \"index\" = 23")
        manage(env, "ledger_export", "-o", str(WORK / "dump-tampered.json"))
        tampered = tool("gongzhi-verify", "--log-key", log_key, "audit", "dump-tampered.json", "--url", API)
        check(
            "the audit names the edited entry (exit 1)",
            tampered.returncode == 1 and "entry 23" in tampered.stdout,
            tampered.stdout + tampered.stderr,
        )
    finally:
        stop_server(server)

    # A rewritten history under the same key: another database, different events, served on the same port.
    fork_env = server_env(WORK / "fork.sqlite3")
    manage(fork_env, "migrate", "--verbosity", "0")
    seed(fork_env, 0, 90, to="rejected")
    server = start_server(fork_env)
    try:
        fork = tool("gongzhi-witness", *witness_args)
        check(
            "the witness refuses a rewritten history (exit 2, FORK)",
            fork.returncode == 2 and "FORK" in fork.stdout + fork.stderr,
            fork.stdout + fork.stderr,
        )
        check("the witness kept its last good checkpoint", (state.exists() and any(state.iterdir())))
    finally:
        stop_server(server)

    passed = sum(ok for _, ok, _ in results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
