"""Recompute every blind index under the active index key, in batches, while the site runs.

    manage.py rotate_index_key --new-key     # key-file mode: add a fresh active index key first
    manage.py rotate_index_key               # recompute (resumes an unfinished run)
    manage.py rotate_index_key --retire-old  # key-file mode, after a finished run: drop old index keys

With environment keys, put the new key first in ``GONGZHI_BLIND_INDEX_KEY="inew:…,iold:…"``,
restart the web processes, run this command, then remove the old key and restart again.
While both keys are configured, lookups by ID number or phone query the index under both
keys (``crypto.blind_indexes``), so every person stays findable during the run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import context
from gongzhi.privacy import actions, crypto
from gongzhi.privacy.choices import RotationStatus
from gongzhi.privacy.models import KeyRotationRun
from gongzhi.privacy.queries import indexed_models


class Command(BaseCommand):
    help = "Recompute blind indexes under the active index key (batched, resumable)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--new-key", action="store_true", help="key-file mode: add a new active index key first")
        parser.add_argument(
            "--retire-old", action="store_true", help="key-file mode: remove old index keys after a finished run"
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(
        self, *args: Any, new_key: bool = False, retire_old: bool = False, batch_size: int = 500, **options: Any
    ) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if new_key:
            self._add_key_to_file()
        ring = crypto.keyring()
        with context.acting_as(None, source="command:rotate_index_key"):
            run = actions.start_index_rotation()
            for model in indexed_models():
                label = model._meta.label_lower
                total = model._base_manager.count()
                done = model._base_manager.filter(pk__lte=run.progress.get(label, 0)).count()
                while read := actions.rotate_index_batch(run, model=model, batch_size=batch_size):
                    run.refresh_from_db()
                    done += read
                    self.stdout.write(f"\r{label:<32} {done}/{total}", ending="")
                self.stdout.write("")
            run.refresh_from_db()
            actions.finish_key_rotation(run)
        self.stdout.write(
            f"Every blind index is under index key {ring.index_active}; recomputed {run.rows_rewritten} rows."
        )
        if retire_old:
            self._retire_old_keys(ring.index_active)

    def _key_file(self) -> Path:
        if getattr(settings, "GONGZHI_ENCRYPTION_KEYS", ""):
            raise CommandError(
                "Keys come from the environment: put a new key first in GONGZHI_BLIND_INDEX_KEY "
                '("inew:base64,iold:base64") instead, and remove the old one after the run.'
            )
        return Path(settings.GONGZHI_KEY_FILE)

    def _add_key_to_file(self) -> None:
        path = self._key_file()
        data = crypto.read_key_file(path)
        old_keys, _ = crypto.index_keys_from_file(data, path)
        kid = "i" + crypto.new_kid()
        data["index_keys"] = {kid: crypto.new_key_b64()} | {
            old: data.get("index_keys", {}).get(old) or data["index_key"] for old in old_keys
        }
        data["index_active"] = kid
        data.pop("index_key", None)
        crypto.write_key_file(path, data)
        crypto.reset_keyring()
        self.stdout.write(f"New active index key {kid} written to {path}.")

    def _retire_old_keys(self, active: str) -> None:
        path = self._key_file()
        finished = KeyRotationRun.objects.filter(
            target_kid=actions.INDEX_RUN_PREFIX + active, status=RotationStatus.DONE
        ).exists()
        if not finished:
            raise CommandError("No finished index rotation to the active key: old keys are still needed.")
        data = crypto.read_key_file(path)
        keys, _ = crypto.index_keys_from_file(data, path)
        if data.get("index_keys"):
            data["index_keys"] = {active: data["index_keys"][active]}
            data["index_active"] = active
            crypto.write_key_file(path, data)
        crypto.reset_keyring()
        self.stdout.write(f"Retired index keys {', '.join(sorted(set(keys) - {active})) or '(none)'}.")
