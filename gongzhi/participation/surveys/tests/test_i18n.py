"""Surveys speak Chinese: labels, errors, a complete catalogue."""

from pathlib import Path

from django.utils import translation

from gongzhi.participation.surveys.choices import QuestionKind
from gongzhi.participation.surveys.errors import SurveyError, SurveyErrorCode

PO = Path(__file__).resolve().parents[1] / "locale/zh_Hans/LC_MESSAGES/django.po"


def test_labels_and_errors_in_chinese():
    with translation.override("zh-hans"):
        assert str(QuestionKind.MATRIX.label) == "矩阵"
        assert str(SurveyError(SurveyErrorCode.ALREADY_RESPONDED).detail) == "已经作答过了。"


def test_catalogue_has_no_empty_or_fuzzy_entry():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    assert '\nmsgstr ""\n\n' not in text.split("\n\n", 1)[1] + "\n"
    assert PO.with_suffix(".mo").exists()
