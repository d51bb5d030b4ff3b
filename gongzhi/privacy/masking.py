"""Masks for showing personal data to people who may know it exists but not read it."""

from __future__ import annotations

MASK = "*"


def mask_id_number(value: str) -> str:
    """110101********1234: region and last four stay, the date of birth goes."""
    if not value:
        return ""
    if len(value) <= 10:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) < 8:
        return MASK * len(value)
    return value[:3] + MASK * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张*, 欧阳**: the surname's first character stays."""
    if not value:
        return ""
    return value[0] + MASK * max(1, len(value) - 1)


def mask_text(value: str) -> str:
    """Free text (health notes …) is never partially shown."""
    return "••••" if value else ""


MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "name": mask_name, "text": mask_text}
