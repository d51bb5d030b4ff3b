"""Re-encrypt every encrypted field under the active key, in batches, while the site runs.

    manage.py rotate_keys --new-key       # key-file mode: add a fresh active key first
    manage.py rotate_keys                 # re-encrypt (resumes an unfinished run)

With GONGZHI_ENCRYPTION_KEYS, put the new key first in the list (keep the old ones
until the run is done), restart the web processes, then run this command. Each batch
is its own transaction with its rows locked, so live edits wait a moment and are
never lost; a crash or Ctrl-C loses nothing and the next run continues.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import context
from gongzhi.privacy import actions, crypto
from gongzhi.privacy.queries import encrypted_models


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields under the active key (batched, resumable)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--new-key", action="store_true", help="key-file mode: create a new active key first")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, new_key: bool = False, batch_size: int = 500, **options: Any) -> None:
        if new_key:
            self._add_key_to_file()
        ring = crypto.keyring()
        with context.acting_as(None, source="command:rotate_keys"):
            run = actions.start_key_rotation()
            for model in encrypted_models():
                label = model._meta.label_lower
                total = model._base_manager.count()
                done = model._base_manager.filter(pk__lte=run.progress.get(label, 0)).count()
                while True:
                    read = actions.rotate_batch(run, model=model, batch_size=batch_size)
                    run.refresh_from_db()
                    if not read:
                        break
                    done += read
                    self._progress(label, done, total)
                self.stdout.write("")
            actions.finish_key_rotation(run)
        self.stdout.write(f"All encrypted values are under key {ring.active}; rewrote {run.rows_rewritten} rows.")

    def _add_key_to_file(self) -> None:
        if getattr(settings, "GONGZHI_ENCRYPTION_KEYS", ""):
            raise CommandError("Keys come from GONGZHI_ENCRYPTION_KEYS: put a new key first in that list instead.")
        path = Path(settings.GONGZHI_KEY_FILE)
        data = crypto.read_key_file(path)
        kid = crypto.new_kid()
        data["keys"] = {kid: crypto.new_key_b64(), **data["keys"]}
        data["active"] = kid
        crypto.write_key_file(path, data)
        crypto.reset_keyring()
        self.stdout.write(f"New active key {kid} written to {path}.")

    def _progress(self, label: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stdout.flush()
        self.stdout.write(f"\r{label:<32} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
