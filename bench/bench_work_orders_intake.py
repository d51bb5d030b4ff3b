"""Intake throughput: concurrent ``POST`` creates on Gongzhi, django-helpdesk and a bare
Django endpoint, same machine, same PostgreSQL, same gunicorn settings, one run.

    uv run python bench/bench_work_orders_intake.py                    # 2 workers, 15 s each
    uv run python bench/bench_work_orders_intake.py --workers 2 --connections 8 --seconds 15

What it does, all under /tmp (nothing is added to the project):

- a virtualenv of its own (``/tmp/gongzhi-bench-helpdesk/venv``) with django-helpdesk,
  gunicorn and psycopg from PyPI, Django pinned to the project's version;
- three PostgreSQL databases on the same server (``bench_woperf_intake_*``, dropped at the end);
- a minimal helpdesk project (settings, urls, one queue, one staff user; its ticket API is
  ``POST /api/tickets/``) and a bare Django project (one model, one function view that
  decodes the JSON, checks the fields and inserts one row), both generated here;
- three gunicorn servers on 127.0.0.1:8201 (Gongzhi ``POST /api/work-orders/``), 8202
  (helpdesk) and 8203 (bare), the same ``--workers`` for each, started one after the other;
- a load generator: ``wrk`` (Debian package) with a Lua script giving each request its
  own ``Idempotency-Key``; every endpoint authenticates the same way (a Django session
  cookie and a CSRF token), so none pays for password hashing per request.

Gongzhi runs as in production (``--mode server``, the default): ``REDIS_URL`` set (a Redis
database of the bench's own, ``INTAKE_BENCH_REDIS_URL``, flushed before and after) and one
Celery worker (``--pool solo``) running beside gunicorn on the same machine during the load,
so the after-commit work (text analysis, ledger sealing, notices) is paid on the same CPUs.
After the load the bench waits until the worker has drained the queue and the database shows
no after-commit work left (intake queue empty, every new order analysed, every ledger event
sealed: a batch task may still run when the queue is empty) and prints a second, "sustained"
figure: rows created / (load seconds + drain seconds). ``--mode embedded`` runs
Gongzhi without Redis (tasks in-process, inside each request), as ``make run`` does.

It prints requests/s of each (2xx only: any other answer is counted and reported), the
rows actually created, and the ratios Gongzhi / helpdesk and Gongzhi / bare.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/gongzhi-bench-intake")  # noqa: S108 (the brief: everything of this bench under /tmp)
VENV = Path("/tmp/gongzhi-bench-helpdesk/venv")  # noqa: S108
PG = os.environ.get("INTAKE_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("INTAKE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")  # the bench's own database
_DB_PREFIX = os.environ.get("INTAKE_BENCH_DB_PREFIX", "bench_woperf_intake")  # per engineer on a shared server
DBS = {"gongzhi": f"{_DB_PREFIX}_gz", "helpdesk": f"{_DB_PREFIX}_hd", "bare": f"{_DB_PREFIX}_bare"}
PORTS = {"gongzhi": 8201, "helpdesk": 8202, "bare": 8203}
PATHS = {"gongzhi": "/api/work-orders/", "helpdesk": "/api/tickets/", "bare": "/reports/"}
CSRF = "b" * 32  # an unmasked CSRF secret: the same value in the cookie and the header


def run(cmd: list[str], **kw: Any) -> str:
    result = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)
    return result.stdout


def recreate_databases(*, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        for name in DBS.values():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                conn.execute(f'CREATE DATABASE "{name}"')


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if (VENV / "bin" / "gunicorn").exists() and subprocess.run(
        [str(python), "-c", "import helpdesk, psycopg"], capture_output=True, check=False
    ).returncode == 0:
        return python
    import django

    VENV.parent.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "venv", str(VENV)])
    run([str(python), "-m", "pip", "install", "--quiet", "django-helpdesk", "gunicorn", "psycopg[binary]",
         f"Django=={django.get_version()}"])  # fmt: skip
    return python


# --- the generated projects ------------------------------------------------------------------

COMMON_SETTINGS = """
import os
SECRET_KEY = "bench-only-" + "k" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
DATABASES = {{"default": {{"ENGINE": "django.db.backends.postgresql", "NAME": "{db}", "USER": "postgres",
    "HOST": "127.0.0.1", "PORT": "5432", "CONN_MAX_AGE": 60}}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "urls"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {{"context_processors": ["django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth", "django.contrib.messages.context_processors.messages"]}}}}]
STATIC_URL = "/static/"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # no SMTP here; Gongzhi sends none either
LOGGING = {{"version": 1, "disable_existing_loggers": False,
    "handlers": {{"console": {{"class": "logging.StreamHandler"}}}},
    "root": {{"level": "WARNING", "handlers": ["console"]}}}}
"""

HELPDESK_SETTINGS = """
INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles", "django.contrib.sites",
    "django.contrib.humanize", "rest_framework", "helpdesk"]
SITE_ID = 1
HELPDESK_API_ENABLED = True
HELPDESK_TEAMS_MODE_ENABLED = False  # no pinax-teams: plain queues
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"]}
LOGIN_URL = "/login/"
"""

HELPDESK_URLS = """
from django.urls import include, path
urlpatterns = [path("", include("helpdesk.urls", namespace="helpdesk"))]
"""

BARE_SETTINGS = """
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "reports"]
"""

BARE_MODELS = """
from django.conf import settings
from django.db import models
from django.utils import timezone


class Report(models.Model):
    # the columns of a work order a resident fills in, plus its status and clock
    order_type = models.CharField(max_length=16)
    category_id = models.BigIntegerField(null=True)
    area_id = models.BigIntegerField()
    area_path = models.CharField(max_length=255)
    title = models.CharField(max_length=120)
    description = models.TextField()
    channel = models.CharField(max_length=16)
    status = models.CharField(max_length=16, default="submitted")
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    submitted_at = models.DateTimeField(default=timezone.now)
"""

BARE_VIEWS = """
import json
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST
from reports.models import Report


@require_POST
@login_required
def create(request):
    try:
        data = json.loads(request.body)
        fields = {k: data[k] for k in ("order_type", "area", "title", "description", "channel")}
    except (ValueError, KeyError):
        return JsonResponse({"error": "bad input"}, status=400)
    if not fields["title"] or len(fields["title"]) > 120:
        return JsonResponse({"title": ["invalid"]}, status=400)
    report = Report.objects.create(order_type=fields["order_type"], category_id=data.get("category"),
        area_id=int(fields["area"]), area_path="4403/440305/", title=fields["title"],
        description=fields["description"], channel=fields["channel"], submitter=request.user)
    return JsonResponse({"id": report.pk, "title": report.title, "status": report.status}, status=201)
"""

BARE_URLS = """
from django.urls import path
from reports.views import create
urlpatterns = [path("reports/", create)]
"""

# Creates a user, logs it in through a test client and prints its session cookie.
LOGIN = """
import json, django
django.setup()
from django.test import Client
from django.contrib.auth import get_user_model
{prepare}
client = Client()
client.force_login(user)
print(json.dumps({{"session": client.cookies["sessionid"].value, "extra": extra}}))
"""

PREPARE = {
    "gongzhi": """
from django.core.management import call_command
from gongzhi.testing.world import build_world
from gongzhi.organisations.models import MatterCategory
call_command("migrate", verbosity=0)
world = build_world()
user = world.resident_c1
category = MatterCategory.objects.create(code="B1", name="市容环境", level=1)
extra = {"area": world.g1.pk, "category": category.pk}
""",
    "helpdesk": """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from helpdesk.models import Queue
queue = Queue.objects.create(title="Bench", slug="bench", allow_public_submission=True)
user = get_user_model().objects.create_user("bench", "bench@example.org", "x", is_staff=True, is_superuser=True)
extra = {"queue": queue.pk}
""",
    "bare": """
from django.core.management import call_command
call_command("makemigrations", "reports", verbosity=0)
call_command("migrate", verbosity=0)
user = get_user_model().objects.create_user("bench", "bench@example.org", "x")
extra = {"area": 1, "category": 1}
""",
}


def write_projects() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    hd = WORK / "helpdesk"
    hd.mkdir(parents=True)
    (hd / "settings.py").write_text(COMMON_SETTINGS.format(db=DBS["helpdesk"]) + HELPDESK_SETTINGS)
    (hd / "urls.py").write_text(HELPDESK_URLS)
    bare = WORK / "bare"
    (bare / "reports" / "migrations").mkdir(parents=True)
    (bare / "settings.py").write_text(COMMON_SETTINGS.format(db=DBS["bare"]) + BARE_SETTINGS)
    (bare / "urls.py").write_text(BARE_URLS)
    (bare / "reports" / "__init__.py").write_text("")
    (bare / "reports" / "migrations" / "__init__.py").write_text("")
    (bare / "reports" / "models.py").write_text(BARE_MODELS)
    (bare / "reports" / "views.py").write_text(BARE_VIEWS)


MODE = {"gongzhi": "server"}  # set from --mode in main()


def environment(name: str) -> tuple[list[str], dict[str, str], Path]:
    """(python, env, cwd) to run the named server's Django."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if name == "gongzhi":
        env.update(
            DJANGO_SETTINGS_MODULE="gongzhi.settings.base",
            DATABASE_URL=f"{PG}/{DBS['gongzhi']}",
            LOG_LEVEL="WARNING",
            DEBUG="false",
            AXES_ENABLED="false",
        )
        env.pop("REDIS_URL", None)
        if MODE["gongzhi"] == "server":
            env.update(REDIS_URL=REDIS, GONGZHI_RUN_SCHEDULER="false")
        return [sys.executable], env, ROOT
    env.update(DJANGO_SETTINGS_MODULE="settings", PYTHONPATH=str(WORK / name))
    return [str(VENV / "bin" / "python")], env, WORK / name


def prepare(name: str) -> dict[str, Any]:
    python, env, cwd = environment(name)
    script = LOGIN.format(prepare=textwrap.dedent(PREPARE[name]))
    out = run([*python, "-c", script], env=env, cwd=cwd)
    return json.loads(out.strip().splitlines()[-1])


def body(name: str, extra: dict[str, Any]) -> dict[str, Any]:
    if name == "helpdesk":
        return {
            "queue": extra["queue"],
            "title": "楼道灯不亮",
            "description": "3栋1单元5楼楼道灯坏了一周",
            "submitter_email": "resident@example.org",
            "priority": 3,
        }
    return {
        "order_type": "report",
        "category": extra["category"],
        "channel": "web",
        "area": extra["area"],
        "title": "楼道灯不亮",
        "description": "3栋1单元5楼楼道灯坏了一周",
    }


LUA = """
local counter = 0
local thread_id = 0
local next_id = 0
setup = function(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
init = function(args)
  wrk.method = "POST"
  wrk.body = [==[{body}]==]
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Cookie"] = "sessionid={session}; csrftoken={csrf}"
  wrk.headers["X-CSRFToken"] = "{csrf}"
  wrk.headers["Referer"] = "http://127.0.0.1/"
end
request = function()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = "{run}-" .. tostring(id) .. "-" .. tostring(counter)
  return wrk.format(nil, "{path}")
end
"""


def serve(name: str, workers: int) -> subprocess.Popen[bytes]:
    python, env, cwd = environment(name)
    gunicorn = [str(Path(python[0]).parent / "gunicorn")]
    app = "gongzhi.wsgi:application" if name == "gongzhi" else "django.core.wsgi:get_wsgi_application()"
    cmd = [*gunicorn, app, "--bind", f"127.0.0.1:{PORTS[name]}", "--workers", str(workers), "--worker-class", "sync"]
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if not warm_up(PORTS[name], workers):
        proc.kill()
        raise SystemExit(f"{name} did not start: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return proc


def _get(port: int) -> float:
    start = time.time()
    with contextlib.suppress(urllib.error.HTTPError):  # answering (404/302/403…) is enough
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=300)
    return time.time() - start


def warm_up(port: int, workers: int, deadline_s: float = 600) -> bool:
    """Until every worker answers at once. A worker's first request imports what the URLconf
    needs (Gongzhi: numpy, scipy, scikit-learn for the text app, ~40 s on this machine
    without bytecode caches); a worker still importing when the load starts stalls the run, so
    no endpoint is measured before all of its workers have answered ``/`` quickly."""
    from concurrent.futures import ThreadPoolExecutor

    end = time.time() + deadline_s
    while time.time() < end:
        try:
            with ThreadPoolExecutor(workers * 2) as pool:
                times = list(pool.map(lambda _: _get(port), range(workers * 2)))
        except OSError:
            time.sleep(0.5)
            continue
        if max(times) < 1.0:
            return True
    return False


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def start_worker() -> subprocess.Popen[bytes]:
    """One Celery worker for Gongzhi's after-commit tasks (server mode), beside gunicorn."""
    python, env, cwd = environment("gongzhi")
    cmd = [*python, "-m", "celery", "-A", "gongzhi", "worker", "--pool", "solo", "--loglevel", "WARNING"]
    return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def queued_tasks() -> int:
    import redis

    return int(redis.Redis.from_url(REDIS).llen("celery"))


#: What is left of Gongzhi's after-commit work, read from its database: orders whose intake is
#: not completed (queue table; absent before it existed), orders not analysed yet (no insight),
#: ledger events not sealed yet. A batch task may still be running when the Celery queue is
#: empty, so the queue alone does not say the work is done.
_LEFT_SQL = {
    "intake": "SELECT COUNT(*) FROM work_orders_intakepending",
    "analysis": "SELECT COUNT(*) FROM work_orders_workorder o WHERE o.id > {first} AND NOT EXISTS "
    "(SELECT 1 FROM text_orderinsight i WHERE i.order_id = o.id)",
    "ledger": "SELECT COUNT(*) FROM ledger_pendingevent",
}


FIRST_ORDER = {"id": 0}  # the last order id before the bench's own (the test world's orders)


def last_order_id() -> int:
    import psycopg

    with psycopg.connect(f"{PG}/{DBS['gongzhi']}") as conn:
        return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM work_orders_workorder").fetchone()[0])


def work_left() -> int:
    import psycopg

    left = 0
    with psycopg.connect(f"{PG}/{DBS['gongzhi']}", autocommit=True) as conn:
        for sql in _LEFT_SQL.values():
            try:
                left += conn.execute(sql.format(first=FIRST_ORDER["id"])).fetchone()[0]
            except psycopg.errors.UndefinedTable:
                continue
    return left


def drain_seconds(timeout: float = 600) -> float:
    """Seconds until the worker has taken every queued task and Gongzhi's database shows no
    after-commit work left (``work_left``: intake queue, analyses, ledger sealing)."""
    start = time.time()
    while (queued_tasks() or work_left()) and time.time() - start < timeout:
        time.sleep(0.2)
    return time.time() - start


def count_rows(name: str) -> int:
    import psycopg

    table = {"gongzhi": "work_orders_workorder", "helpdesk": "helpdesk_ticket", "bare": "reports_report"}[name]
    with psycopg.connect(f"{PG}/{DBS[name]}") as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608


def load(name: str, session: str, payload: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    script = WORK / f"{name}.lua"
    script.write_text(
        LUA.format(
            body=json.dumps(payload, ensure_ascii=False),
            session=session,
            csrf=CSRF,
            path=PATHS[name],
            run=secrets.token_hex(4),
        )
    )
    before = count_rows(name)
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.seconds}s", "--timeout", "30s"]
    cmd += ["--latency", "-s", str(script)]
    out = run([*cmd, f"http://127.0.0.1:{PORTS[name]}{PATHS[name]}"])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = int(bad.group(1)) if bad else 0
    created = count_rows(name) - before
    latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    return {
        "requests": total,
        "non_2xx": errors,
        "rows": created,
        "rps": rps,
        "ok_rps": rps * (total - errors) / total if total else 0.0,
        "latency_avg": latency.group(1) if latency else "?",
        "latency_p99": p99.group(1) if p99 else "?",
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, the same for all three")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument(
        "--mode", choices=["server", "embedded"], default="server", help="Gongzhi with Redis + worker, or without"
    )
    parser.add_argument("--only", choices=list(PORTS), action="append", help="run only these endpoints")
    args = parser.parse_args()
    MODE["gongzhi"] = args.mode
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    print(f"load average before: {os.getloadavg()}")
    ensure_venv()
    recreate_databases()
    write_projects()
    results: dict[str, dict[str, Any]] = {}
    try:
        for name in args.only or ("gongzhi", "helpdesk", "bare"):
            server_mode = name == "gongzhi" and args.mode == "server"
            if server_mode:
                flush_redis()
            info = prepare(name)
            if server_mode:
                FIRST_ORDER["id"] = last_order_id()
            procs = [serve(name, args.workers)]
            if server_mode:
                procs.append(start_worker())
            try:
                warm = argparse.Namespace(**{**vars(args), "seconds": 3})
                load(name, info["session"], body(name, info["extra"]), warm)
                if server_mode:
                    drain_seconds()
                results[name] = load(name, info["session"], body(name, info["extra"]), args)
                r = results[name]
                r["sustained"] = r["ok_rps"]
                if server_mode:
                    r["queued"] = queued_tasks()
                    r["drain"] = drain_seconds()
                    r["sustained"] = r["rows"] / (args.seconds + r["drain"])
            finally:
                for proc in procs:
                    proc.send_signal(signal.SIGTERM)
                    try:
                        proc.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        proc.kill()
            print(
                f"{name:9} {r['ok_rps']:8.1f} req/s (2xx)  requests {r['requests']:,}  non-2xx {r['non_2xx']:,}  "
                f"rows created {r['rows']:,}  latency mean {r['latency_avg']} p99 {r['latency_p99']}  "
                f"socket errors {r['socket_errors']}"
            )
            if server_mode:
                print(
                    f"{'':9} tasks queued at the end {r['queued']:,}, drained in {r['drain']:.1f} s: "
                    f"sustained {r['sustained']:.1f} orders/s (rows / (load + drain seconds))"
                )
    finally:
        recreate_databases(drop_only=True)
        if args.mode == "server":
            flush_redis()
    print(f"Gongzhi mode: {args.mode}")
    if len(results) < len(PORTS):
        return
    gz, hd, bare = (results[n]["ok_rps"] for n in ("gongzhi", "helpdesk", "bare"))
    gz_sustained = results["gongzhi"]["sustained"]
    print(
        f"gunicorn --workers {args.workers} (sync), wrk -t{args.threads} -c{args.connections} -d{args.seconds}s; "
        f"load average after: {os.getloadavg()}"
    )
    print(f"Gongzhi / django-helpdesk: {gz / hd if hd else float('inf'):.2f}x (target >= 10x)")
    print(f"Gongzhi / bare Django:     {gz / bare if bare else float('inf'):.2%} (target >= 50%)")
    if args.mode == "server":
        hd_ratio = gz_sustained / hd if hd else float("inf")
        bare_ratio = gz_sustained / bare if bare else float("inf")
        print(f"sustained (after-commit work drained): Gongzhi / helpdesk {hd_ratio:.2f}x, / bare {bare_ratio:.2%}")


if __name__ == "__main__":
    main()
