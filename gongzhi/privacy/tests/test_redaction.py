"""The default public redactor of the privacy layer and its registry (no upper layer needed)."""

from __future__ import annotations

import pytest

from gongzhi.privacy import redaction


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("电话13912345678", "13912345678", "电话"),
        ("+86 139-1234-5678", "5678", ""),
        ("座机0755-26612345", "26612345", "座机"),
        ("身份证44030519900101123X", "44030519900101123X", "身份证"),
        ("卡号6222021234567890123", "6222021234567890123", "卡号"),
        ("邮箱li@example.com", "li@example.com", "邮箱"),
        ("3栋1单元502室", "502", "单元"),
        ("联系人：李四", "李四", "联系人"),
    ],
)
def test_default_redactor(text, hidden, kept):
    out = redaction.default_redact(text)
    assert hidden not in out
    assert kept in out


def test_names_are_masked_longest_first():
    assert redaction.default_redact("欧阳小明说欧阳家漏水", ["欧阳小明", "欧阳"]) == "***说***家漏水"


def test_registered_redactors_run_after_the_default_in_order():
    seen: list[str] = []

    def upper(text: str) -> str:
        seen.append(text)
        return text.replace("秘密", "**")

    redaction.register_redactor("test-upper", upper)
    try:
        assert redaction.redact_public("秘密13912345678") == "*****"
        assert seen == ["秘密***"]
    finally:
        redaction.unregister_redactor("test-upper")


def test_empty_and_none():
    assert redaction.redact_public(None) == ""
    assert redaction.redact_public("") == ""
