"""Print the log's verifier keys (give them to witnesses and auditors)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.ledger import keys


class Command(BaseCommand):
    help = "Print the governance ledger's verifier keys, active key first."

    def handle(self, *args: Any, **options: Any) -> None:
        for verifier in keys.verifiers():
            self.stdout.write(str(verifier))
