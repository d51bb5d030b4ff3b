"""The scheduled deadline job (reminders, supervision, public listing) over open orders.

    uv run python bench/bench_work_orders_deadlines.py                  # 1,000,000 open orders
    uv run python bench/bench_work_orders_deadlines.py --orders 200000
    uv run python bench/bench_work_orders_deadlines.py --keep / --reuse  # keep / reuse the loaded database
    uv run python bench/bench_work_orders_deadlines.py --reuse --all-due # the worst case: every order due
    WO_BENCH_DATABASE_URL=postgres://user@host/db  # default postgres://postgres@127.0.0.1:5432/gongzhi_wo_bench_deadlines

The open orders are spread as in a live district (bench_work_orders_data.load, open_only):
90% dispatched in the last 7 days, 10% 7 to 37 days ago (overdue). The job is index-driven
(``WorkOrderSchedule.next_check_at``), so the bench measures:

(b) catch-up after a long outage: every order's next check is what the actions store
    (the earliest reminder or deadline that applies; the job never refined it), so every
    order whose reminder or deadline has passed is due at once; the run at NOW - 5 minutes
    raises what is due and stores each due order's exact next check time. With --all-due
    every order's next check is its dispatch time instead (all 1,000,000 due: the worst case);
(a) steady state: the job runs every 5 minutes after that (NOW, NOW + 5, NOW + 10 min): each
    run reads only the orders whose next check came in those 5 minutes; then an idempotent
    re-run at the same moment (nothing due, nothing raised).

With --reuse a kept database is reset (escalations, their events and notices deleted, levels
and next check times restored) instead of loaded again. --workers 2 runs the catch-up with
two processes sharing the due orders (SKIP LOCKED); the CPU printed is then the sum over all
the processes and their PostgreSQL backends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_work_orders_data import NOW, load, scratch_database

RESET_SQL = [
    "DELETE FROM work_orders_workorderevent WHERE kind = 'escalate'",
    "TRUNCATE notifications_notification",
    "TRUNCATE work_orders_escalation, work_orders_escalationrun",
    "UPDATE work_orders_workorder SET supervision_level = 0 WHERE supervision_level <> 0",
    "TRUNCATE work_orders_workorderschedule",
    # What the actions store (escalation.check_from): the earliest reminder or deadline that
    # applies; with --all-due the dispatch time (every order due).
    """INSERT INTO work_orders_workorderschedule (order_id, next_check_at)
        SELECT id, %(next)s FROM work_orders_workorder
        WHERE status IN ('dispatched', 'signed', 'in_progress') AND NOT on_hold""",
    "VACUUM ANALYZE",
]
STORED = """LEAST(reply_remind_at, reply_due, CASE WHEN status = 'dispatched' THEN sign_remind_at END,
                  CASE WHEN status = 'dispatched' THEN sign_due END)"""


def _backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) the PostgreSQL backend ``pid`` has used (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the database runs elsewhere
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> tuple[float, float]:
    """CPU seconds used so far by this process and by its PostgreSQL backend."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    return time.process_time(), _backend_cpu(backend)


def _worker(now: dt.datetime, batch_size: int, report: int) -> None:
    """A further worker process (--workers N): the same job, sharing the due orders; it
    writes the CPU it and its backend used (Python, PostgreSQL) and the escalations it raised
    to the pipe ``report``."""
    from django.db import connections

    from gongzhi.work_orders import actions

    connections.close_all()  # a forked process opens its own connection
    start = _own_cpu()
    run = actions.escalate_due_work_orders(now=now, batch_size=batch_size)
    end = _own_cpu()
    os.write(report, f"{end[0] - start[0]} {end[1] - start[1]} {sum(run.counts.values())}\n".encode())
    connections.close_all()
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--all-due", action="store_true", help="every order due (never checked), not the stored bound")
    parser.add_argument("--workers", type=int, default=1, help="processes sharing the catch-up run")
    parser.add_argument("--catch-up-only", action="store_true")
    args = parser.parse_args()
    with scratch_database("deadlines", keep=args.keep or args.reuse, reuse=args.reuse) as reused:
        from django.db import connection

        from gongzhi.notifications.models import Notification
        from gongzhi.work_orders import actions
        from gongzhi.work_orders.models import Escalation, WorkOrder, WorkOrderEvent, WorkOrderSchedule

        start = time.perf_counter()
        if reused:
            with connection.cursor() as cursor:
                for sql in RESET_SQL:
                    cursor.execute(sql.replace("%(next)s", "dispatched_at" if args.all_due else STORED))
            orders = WorkOrder.objects.count()
            print(f"reused database reset in {time.perf_counter() - start:.0f} s")
        else:
            orders = load(args.orders, open_only=True)["orders"]
            if not args.all_due:
                with connection.cursor() as cursor:
                    for sql in RESET_SQL[4:]:
                        cursor.execute(sql.replace("%(next)s", STORED))
        print(
            f"PostgreSQL {connection.pg_version // 10000}: {WorkOrder.objects.count():,} open orders loaded in "
            f"{time.perf_counter() - start:.0f} s; load average {os.getloadavg()}"
        )
        # A worker has its URLconf loaded after its first task; the notices' order URL would
        # otherwise charge the import of every view to the first timed run.
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018
        five = dt.timedelta(minutes=5)
        runs = [
            ("(b) catch-up" + (", every order due" if args.all_due else ""), NOW - five),
            ("(a) steady state, 5 min later", NOW),
            ("(a) steady state, 5 min later", NOW + five),
            ("(a) steady state, 5 min later", NOW + 2 * five),
            ("idempotent re-run, same moment", NOW + 2 * five),
        ]
        for i, (label, now) in enumerate(runs[:1] if args.catch_up_only else runs):
            due = WorkOrderSchedule.objects.filter(next_check_at__lte=now).count()
            before = os.getloadavg()
            start = time.perf_counter()
            children = []
            reports = []
            if i == 0 and args.workers > 1:
                connection.close()
                for _ in range(args.workers - 1):
                    read, write = os.pipe()
                    pid = os.fork()
                    if pid == 0:
                        os.close(read)
                        _worker(now, args.batch_size, write)
                    os.close(write)
                    children.append(pid)
                    reports.append(read)
            cpu = _own_cpu()
            run = actions.escalate_due_work_orders(now=now, batch_size=args.batch_size)
            end = _own_cpu()
            for pid in children:
                os.waitpid(pid, 0)
            took = time.perf_counter() - start
            # CPU used by the job's processes and their database backends: the work done,
            # whatever the other load on a shared machine (the wall time above depends on it).
            used = [end[0] - cpu[0], end[1] - cpu[1]]
            created = sum(run.counts.values())
            for read in reports:
                with os.fdopen(read) as pipe:
                    python, backend, raised = pipe.read().split()
                used[0] += float(python)
                used[1] += float(backend)
                created += int(raised)
            print(
                f"{label} (as of {now:%a %H:%M}): {took:.2f} s over {orders:,} open orders, {due:,} due "
                f"({due / took:,.0f} due orders/s); CPU ({len(children) + 1} process(es)): "
                f"Python {used[0]:.1f} s + PostgreSQL backend {used[1]:.1f} s; "
                f"escalations raised {created:,} (this process: {run.counts}); "
                f"load average before {before}, after {os.getloadavg()}"
            )
        print(
            f"rows now: escalations {Escalation.objects.count():,}, "
            f"escalation events {WorkOrderEvent.objects.filter(kind='escalate').count():,}, "
            f"notifications {Notification.objects.count():,}"
        )


if __name__ == "__main__":
    main()
