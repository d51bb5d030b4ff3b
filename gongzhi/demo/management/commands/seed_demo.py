"""``manage.py seed_demo --size small|district [--if-empty] [--seed N]``: load the demo district."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.demo.seeding import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    SIZES,
    NotEmptyError,
    database_is_empty,
    seed_demo,
)


class Command(BaseCommand):
    help = "Load a deterministic demo district (territory, organisations, duty lists, staff, residents)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same district")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the database already has areas")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="rows per INSERT")

    def handle(self, *args: Any, size: str, seed: int, if_empty: bool, batch_size: int, **options: Any) -> None:
        if if_empty and not database_is_empty():
            self.stdout.write("The database already holds a district; not seeding (--if-empty).")
            return
        started = time.perf_counter()
        try:
            summary = seed_demo(size, seed=seed, batch_size=batch_size)
        except NotEmptyError as exc:
            raise CommandError(f"Not seeding: {exc}. Use an empty database, or --if-empty to skip.") from exc
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded the {size} demo district (seed {seed}) in {elapsed:.1f} s."))
        self.stdout.write(counts)
        self.stdout.write(
            f"Staff accounts sign in with the demo password {DEMO_PASSWORD!r}; residents sign in with their "
            "phone number and a one-time code, which the console SMS backend prints to the server log. "
            "List the accounts with `manage.py demo_logins`."
        )
