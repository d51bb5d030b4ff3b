"""``manage.py rebuild_kpi_facts``: derive every work order's KPI fact again, set-based.

For orders written without the work-order actions (imports, raw SQL loads, benchmarks);
the actions keep the facts of the orders they save up to date themselves."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.work_orders import kpi_facts


class Command(BaseCommand):
    help = "Rebuild the KPI facts (work_orders_kpifact) from the work orders and their ratings."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=kpi_facts.REBUILD_BATCH, help="orders per statement")

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        written = kpi_facts.rebuild(batch_size=options["batch_size"])
        self.stdout.write(f"{written} KPI facts written in {time.perf_counter() - start:.1f} s.")
