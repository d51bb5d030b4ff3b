"""``EncryptedField`` and ``BlindIndexField``: the pattern for personal data at rest.

    id_number = EncryptedField(_("ID number"), purpose="identity", blank=True)
    id_number_index = BlindIndexField(source="id_number", kind="id_number")

In Python the attribute holds plaintext; the column holds a base64 ciphertext (see
:mod:`gongzhi.privacy.crypto`) whose AAD is ``"<app>.<model>.<field>|<purpose>"``.
The blind index is filled from its source on every save (``pre_save``), so exact
lookups work without decrypting the table:
``Resident.objects.filter(id_number_index=blind_index(number, kind="id_number"))``.
Encrypted columns cannot be filtered, ordered or compared; lookups are refused.
Empty values are stored as ``""`` (not encrypted) so "is it set" stays answerable.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import TextField

from gongzhi.privacy import crypto


class EncryptedField(models.TextField):
    """A text value encrypted at rest with AES-256-GCM / SM4-GCM (see crypto)."""

    description = "Encrypted text"

    def __init__(self, *args: Any, purpose: str = "personal", **kwargs: Any) -> None:
        self.purpose = purpose
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, Any, Any, Any]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    @property
    def aad(self) -> str:
        meta = self.model._meta
        return f"{meta.app_label}.{meta.model_name}.{self.name}|{self.purpose}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt_text(value, self.aad)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.encrypt_text(str(value), self.aad)

    def get_lookup(self, lookup_name: str) -> Any:
        # Only "is it set" questions make sense on ciphertext.
        if lookup_name not in {"isnull", "exact"}:
            return None
        return super().get_lookup(lookup_name)


def raw(field_name: str) -> models.functions.Cast:
    """An expression reading the stored ciphertext without decrypting it (rotation, tests)."""
    return models.functions.Cast(field_name, output_field=TextField())


class BlindIndexField(models.CharField):
    """HMAC-SHA256 of a normalised source field; filled on save, indexed, never decrypted."""

    description = "Blind index"

    def __init__(self, *args: Any, source: str = "", kind: str = "text", **kwargs: Any) -> None:
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, Any, Any, Any]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        for key, default in (
            ("max_length", 64),
            ("blank", True),
            ("default", ""),
            ("editable", False),
            ("db_index", True),
        ):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        if not getattr(self, "db_index", True):
            kwargs["db_index"] = False  # the base Field omits False, but this field defaults to True
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        source_value = getattr(model_instance, self.source) or ""
        value = crypto.blind_index(source_value, kind=self.kind) if source_value else ""
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def blind_index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
