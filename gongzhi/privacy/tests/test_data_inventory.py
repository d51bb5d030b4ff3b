"""The data inventory (docs/data-inventory.csv) lists every personal-data field."""

from __future__ import annotations

import csv
from pathlib import Path

from django.apps import apps
from django.conf import settings

from gongzhi.privacy.fields import EncryptedField

INVENTORY = Path(settings.BASE_DIR) / "docs" / "data-inventory.csv"
COLUMNS = ["model", "field", "category", "encrypted", "purpose", "legal_basis", "retention", "visible_to"]
ALWAYS = {("accounts.User", "phone"), ("accounts.User", "display_name")}


def inventory() -> dict[tuple[str, str], dict[str, str]]:
    with INVENTORY.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return {(row["model"], row["field"]): row for row in reader}


def personal_fields() -> set[tuple[str, str]]:
    wanted = set(ALWAYS)
    for label in ("residents", "privacy"):
        for model in apps.get_app_config(label).get_models():
            wanted |= {(model._meta.label, f.name) for f in model._meta.concrete_fields}
    return wanted


def test_every_personal_data_field_is_in_the_inventory():
    missing = personal_fields() - set(inventory())

    assert not missing, f"add these fields to docs/data-inventory.csv: {sorted(missing)}"


def test_every_row_is_complete():
    for key, row in inventory().items():
        assert all(row[c].strip() for c in COLUMNS), f"{key} has an empty column"


def test_encrypted_fields_are_declared_encrypted():
    rows = inventory()
    for label in ("residents", "privacy"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, EncryptedField):
                    assert rows[(model._meta.label, field.name)]["encrypted"] == "yes", f"{model.__name__}.{field.name}"
