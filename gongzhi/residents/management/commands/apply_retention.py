"""``manage.py apply_retention [--dry-run] [--day YYYY-MM-DD]``: the retention job by hand."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import context
from gongzhi.residents import actions


class Command(BaseCommand):
    help = "Delete or anonymise register data past its retention period (legal holds are kept)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count what would go")
        parser.add_argument("--day", help="act as if today were this day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["day"]:
            try:
                day = datetime.date.fromisoformat(options["day"])
            except ValueError as exc:
                raise CommandError(f"--day: {exc}") from exc
        with context.acting_as(None, source="command:apply_retention"):
            run = actions.apply_retention(today=day, dry_run=options["dry_run"])
        for rule, count in run.counts.items():
            self.stdout.write(f"{rule}: {count}")
