"""Every string of accounts and access has a Chinese translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from gongzhi.access.choices import Role, ScopeMode
from gongzhi.accounts.choices import AccountKind

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("app", ["accounts", "access"])
def test_catalogue_has_no_empty_or_fuzzy_translation(app):
    po = (ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]  # the first block is the header
    assert entries
    for entry in entries:
        assert "#, fuzzy" not in entry
        assert not re.search(r'^msgstr ""\n?$', entry.strip().splitlines()[-1] + "\n"), entry
    assert (ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo").exists()


def test_choices_are_translated():
    with translation.override("zh-hans"):
        assert str(Role.GRID_WORKER.label) == "网格员"
        assert str(Role.AUDIT_ADMIN.label) == "审计管理员"
        assert str(ScopeMode.AREA.label) == "区域及下级"
        assert str(AccountKind.RESIDENT.label) == "居民"
    with translation.override("zh-hans"):
        assert len({str(r.label) for r in Role}) == len(Role)


def test_login_page_speaks_chinese_by_default(db):
    html = Client().get("/accounts/login/").content.decode()
    assert "工作人员登录" in html
