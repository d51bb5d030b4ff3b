"""``manage.py import_residents FILE --profile NAME --grid CODE [--dry-run] [--chunk N] [--resume ID]``

Streams a CSV/XLSX export through a saved column-mapping profile, with a progress bar on
stderr, and prints the import set's counts. Row errors: ``--errors report.csv``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import context
from gongzhi.residents.choices import ImportStatus
from gongzhi.residents.errors import ResidentError
from gongzhi.residents.importer import CHUNK_SIZE, run_import, stopped_elsewhere, write_error_report
from gongzhi.residents.models import ImportBatch, ImportProfile
from gongzhi.territory.models import Area


class ProgressBar:
    """``[#####.....]  52%  1.2 MB/s`` on one terminal line."""

    def __init__(self, stream: Any, width: int = 40) -> None:
        self.stream = stream
        self.width = width
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = int(self.width * share)
        rate = done / max(time.monotonic() - self.started, 1e-6) / 1e6
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {share:4.0%} {rate:5.1f} MB/s")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import residents and households from a CSV/XLSX file through a saved mapping profile."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--profile", required=True, help="import profile name")
        parser.add_argument("--grid", required=True, help="area code of the grid the rows belong to")
        parser.add_argument("--dry-run", action="store_true", help="validate and match, write nothing")
        parser.add_argument("--chunk", type=int, default=CHUNK_SIZE)
        parser.add_argument(
            "--workers", type=int, default=0, help="PostgreSQL: processes validating and encrypting the next chunks"
        )
        parser.add_argument("--resume", type=int, help="continue this import set after its last row")
        parser.add_argument("--errors", help="write the row error report (CSV) here")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        profile = ImportProfile.objects.filter(name=options["profile"]).first()
        if profile is None:
            raise CommandError(f"no import profile named {options['profile']!r}")
        grid = Area.objects.filter(code=options["grid"]).first()
        if grid is None:
            raise CommandError(f"no area with code {options['grid']!r}")
        resume = ImportBatch.objects.filter(pk=options["resume"]).first() if options["resume"] else None
        if options["resume"] and resume is None:
            raise CommandError(f"no import set {options['resume']}")
        progress = None if options["quiet"] else ProgressBar(sys.stderr)
        with context.acting_as(None, source="command:import_residents"), path.open("rb") as binary:
            try:
                batch = run_import(
                    profile, binary, path.name, grid=grid, actor=None, dry_run=options["dry_run"],
                    chunk_size=options["chunk"], progress=progress, resume=resume, workers=options["workers"],
                    stop=stopped_elsewhere,
                )  # fmt: skip
            except ResidentError as exc:
                raise CommandError(f"{exc.code}: {exc.detail}") from exc
        if progress:
            sys.stderr.write("\n")
        if batch.status == ImportStatus.CANCELLED:
            self.stdout.write(f"import set {batch.pk} was cancelled from the web page; chunks done so far stay")
        self.stdout.write(
            f"import set {batch.pk} ({batch.get_status_display()}): {batch.rows_done} rows read, "
            f"{batch.rows_created} registered, {batch.rows_updated} updated, "
            f"{batch.rows_review} for review, {batch.rows_error} with errors"
        )
        if options["errors"]:
            with open(options["errors"], "w", newline="", encoding="utf-8-sig") as fh:
                write_error_report(batch, fh)
