"""The scheduled deadline job (reminders, supervision, public listing) over open orders.

    uv run python bench/bench_work_orders_deadlines.py                  # 1,000,000 open orders
    uv run python bench/bench_work_orders_deadlines.py --orders 200000
    WO_BENCH_DATABASE_URL=postgres://user@host/db  # default postgres://postgres@127.0.0.1:5432/gongzhi_wo_bench_deadlines

Every order is with a unit (dispatched, signed or in progress), dispatched between 20 days
before and 5 days after the job's "now", so reminders, supervision and public listings are
all due for a share of them. It prints the time of a first run (which raises escalations,
timeline events and notices) and of a second run (idempotent: nothing new), with rates.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_work_orders_data import NOW, load, scratch_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with scratch_database("deadlines", keep=args.keep):
        from django.db import connection

        from gongzhi.notifications.models import Notification
        from gongzhi.work_orders import actions
        from gongzhi.work_orders.models import Escalation, WorkOrder, WorkOrderEvent

        start = time.perf_counter()
        info = load(args.orders, open_only=True)
        print(
            f"PostgreSQL {connection.pg_version // 10000}: {WorkOrder.objects.count():,} open orders loaded in "
            f"{time.perf_counter() - start:.0f} s"
        )
        for label in ("first run", "second run (idempotent)"):
            start = time.perf_counter()
            run = actions.escalate_due_work_orders(now=NOW, batch_size=args.batch_size)
            took = time.perf_counter() - start
            created = sum(run.counts.values())
            print(
                f"{label}: {took:.1f} s for {info['orders']:,} open orders "
                f"({info['orders'] / took:,.0f} orders/s); escalations raised {created:,}: {run.counts}"
            )
        print(
            f"rows now: escalations {Escalation.objects.count():,}, "
            f"escalation events {WorkOrderEvent.objects.filter(kind='escalate').count():,}, "
            f"notifications {Notification.objects.count():,}"
        )


if __name__ == "__main__":
    main()
