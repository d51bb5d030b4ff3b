"""``manage.py import_organisations FILE [--dry-run] [--actor USERNAME]``: import organisations and their duty lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.context import acting_as
from gongzhi.organisations.importers import import_organisations
from gongzhi.territory.tabular import MAX_BYTES, RowsInvalid, TabularError


class Command(BaseCommand):
    help = "Import organisations (code, name, kind, seat_code, serves, duties, …) from a CSV or XLSX file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument("--actor", help="Username recorded as the actor (default: the system).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError("The file is larger than 5 MB.")
        actor = None
        if options.get("actor"):
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No user named {options['actor']}")
        with acting_as(actor, source="import:organisations"):
            try:
                report = import_organisations(
                    path.read_bytes(), path.name, actor=actor, dry_run=options["dry_run"], check_scope=False
                )
            except RowsInvalid as exc:
                for error in exc.errors:
                    self.stderr.write(f"row {error.row}, {error.column}: {error.message}")
                raise CommandError(f"{len(exc.errors)} problem(s); nothing was imported.") from exc
            except TabularError as exc:
                raise CommandError(str(exc.detail)) from exc
        prefix = "would be " if report.dry_run else ""
        self.stdout.write(
            f"{report.created} {prefix}created, {report.updated} {prefix}updated, {report.unchanged} unchanged"
        )
