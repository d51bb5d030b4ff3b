"""Write every ledger entry as JSON (for auditors: ``gongzhi-verify audit DUMP``)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.ledger import keys, queries


class Command(BaseCommand):
    help = "Export the governance ledger's entries as JSON for an independent audit."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        out = open(options["output"], "w", encoding="utf-8") if options["output"] else self.stdout  # noqa: SIM115
        out.write('{"origin": ' + json.dumps(keys.origin()) + ', "entries": [\n')
        for i, row in enumerate(queries.export_rows()):
            out.write(("," if i else "") + json.dumps(row, ensure_ascii=False) + "\n")
        out.write("]}\n")
        if options["output"]:
            out.close()
