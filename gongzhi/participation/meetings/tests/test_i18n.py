"""Meetings and surveys speak Chinese: the statute's own words, complete catalogues."""

from pathlib import Path

from django.utils import translation

from gongzhi.participation.meetings.choices import OwnersMatter, OwnersVoteStatus
from gongzhi.participation.meetings.errors import MeetingError, MeetingErrorCode

ROOT = Path(__file__).resolve().parents[2]


def test_art_278_matters_use_the_statute_wording():
    with translation.override("zh-hans"):
        assert str(OwnersMatter.RAISE_MAINTENANCE_FUND.label) == "（六）筹集建筑物及其附属设施的维修资金"
        assert str(OwnersMatter.COMMON_PARTS_USE.label) == "（八）改变共有部分的用途或者利用共有部分从事经营活动"
        assert str(OwnersVoteStatus.PASSED.label) == "已通过"
        assert str(MeetingError(MeetingErrorCode.ALREADY_VOTED).detail) == "已经投过票了。"


def test_catalogues_have_no_empty_or_fuzzy_entry():
    for app in ("meetings",):
        text = (ROOT / app / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
        assert "#, fuzzy" not in text
        body = text.split("\n\n", 1)[1]
        assert '\nmsgstr ""\n\n' not in body + "\n"
        assert (ROOT / app / "locale/zh_Hans/LC_MESSAGES/django.mo").exists()
