"""i18n completeness: every zh_Hans catalogue is fully translated and compiled, and the
main pages show no untranslated English in Chinese or Chinese in English."""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.organisations.models import Organisation
from gongzhi.territory.models import Area, Building
from gongzhi.web.tests.pofiles import PoEntry, read_po

PACKAGE_DIR = Path(settings.BASE_DIR) / "gongzhi"
CATALOGUES = sorted(PACKAGE_DIR.glob("**/locale/zh_Hans/LC_MESSAGES/*.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}|%[sd]")


def catalogue_id(path: Path) -> str:
    return str(path.relative_to(PACKAGE_DIR))


def test_there_are_catalogues_to_check():
    ids = [catalogue_id(p) for p in CATALOGUES]
    assert "web/locale/zh_Hans/LC_MESSAGES/django.po" in ids
    assert "locale/zh_Hans/LC_MESSAGES/django.po" in ids


def entry_problems(entry: PoEntry) -> list[str]:
    where = f"line {entry.line} {entry.msgid[:60]!r}"
    if entry.obsolete:
        return []
    if "fuzzy" in entry.flags:
        # A fuzzy header makes msgfmt drop Plural-Forms and the charset: plurals break.
        return [f"{where}: fuzzy{' header' if entry.is_header else ''}"]
    if entry.is_header:
        return [] if "Plural-Forms" in entry.msgstr.get(0, "") else [f"{where}: header without Plural-Forms"]
    problems = []
    if not entry.msgstr or any(not text.strip() for text in entry.msgstr.values()):
        problems.append(f"{where}: empty msgstr")
    wanted = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
    for text in entry.msgstr.values():
        if text and set(PLACEHOLDER.findall(text)) != wanted:
            problems.append(f"{where}: placeholders differ from the msgid")
    return problems


@pytest.mark.parametrize("path", CATALOGUES, ids=catalogue_id)
def test_catalogue_has_no_empty_or_fuzzy_msgstr(path):
    # when
    problems = [p for entry in read_po(path) for p in entry_problems(entry)]
    # then
    assert not problems, f"{catalogue_id(path)}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", CATALOGUES, ids=catalogue_id)
def test_catalogue_is_compiled(path):
    # given
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{catalogue_id(path)}: run compilemessages"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    # then every translation in the .po is in the .mo
    stale = []
    for entry in read_po(path):
        if entry.is_header or entry.obsolete or "fuzzy" in entry.flags:
            continue
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural:
            got = compiled.ngettext(msgid, entry.msgid_plural, 1)
            want = entry.msgstr.get(0, "")
        else:
            got, want = compiled.gettext(msgid), entry.msgstr.get(0, "")
        if got != want:
            stale.append(entry.msgid[:60])
    assert not stale, f"{catalogue_id(path)}: .mo is out of date for {stale[:5]} (run compilemessages)"


def test_po_reader_understands_plurals_fuzzy_and_continuations(tmp_path):
    # given
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#, fuzzy\nmsgid "a"\nmsgstr "甲"\n\n'
        'msgid ""\n"long "\n"text"\nmsgstr ""\n\n'
        'msgid "%(n)s grid"\nmsgid_plural "%(n)s grids"\nmsgstr[0] "%(n)s 个网格"\n',
        encoding="utf-8",
    )
    # when
    entries = read_po(po)
    # then
    assert [e.msgid for e in entries] == ["", "a", "long text", "%(n)s grid"]
    assert [p for e in entries for p in entry_problems(e)] == ["line 5 'a': fuzzy", "line 9 'long text': empty msgstr"]
    assert entries[3].msgstr == {0: "%(n)s 个网格"}


# ---------------------------------------------------------------------------------------
# Rendered pages


class VisibleText(HTMLParser):
    """Text a person sees or hears, skipping scripts, styles and runs marked with
    another language (``lang="en"`` on the English button of a Chinese page)."""

    SKIP = {"script", "style", "svg", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, page_lang: str) -> None:
        super().__init__()
        self.page_lang = page_lang
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang")
        skip = tag in self.SKIP or (lang is not None and tag != "html" and lang.lower() != self.page_lang)
        if not skip and not self._skipping():
            for name in ("aria-label", "title", "placeholder", "alt"):
                if values.get(name):
                    self.chunks.append(values[name] or "")
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping() and data.strip():
            self.chunks.append(data.strip())


def visible_text(html: str, page_lang: str) -> list[str]:
    parser = VisibleText(page_lang)
    parser.feed(html)
    return parser.chunks


PAGES = [
    ("anonymous", "/"),
    ("anonymous", "/accounts/login/"),
    ("anonymous", "/accounts/phone/"),
    ("resident_c1", "/"),
    ("resident_c1", "/services/"),
    ("resident_c1", "/me/"),
    ("grid_worker_g1", "/"),
    ("street_official_s1", "/"),
    ("street_official_s1", "/me/"),
]
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
CHINESE = re.compile(r"[\u3400-\u9fff]")


def data_strings(world) -> list[str]:
    """Names that come from the database, not from a catalogue; longest first."""
    names = list(Area.objects.values_list("name", flat=True))
    names += list(Organisation.objects.values_list("name", flat=True))
    names += list(Building.objects.values_list("name", flat=True))
    names += [str(u) for u in world.users.values()] + [u.username for u in world.users.values()]
    return sorted(set(names), key=len, reverse=True)


def leaks(chunks: list[str], pattern: re.Pattern[str], known: list[str]) -> list[str]:
    found = []
    for chunk in chunks:
        text = chunk
        for name in known:
            text = text.replace(name, " ")
        if pattern.search(text):
            found.append(chunk)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "path"), PAGES, ids=[f"{a}{p}" for a, p in PAGES])
def test_chinese_pages_show_no_english(world, page_client, actor, path):
    # given
    client = page_client(actor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    # when
    response = client.get(path)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans"' in html
    found = leaks(visible_text(html, "zh-hans"), ENGLISH_WORD, data_strings(world))
    assert not found, f"untranslated English on {path} as {actor}: {found}"


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "path"), PAGES, ids=[f"{a}{p}" for a, p in PAGES])
def test_english_pages_show_no_chinese(world, page_client, actor, path):
    # given
    client = page_client(actor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    response = client.get(path)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    found = leaks(visible_text(html, "en"), CHINESE, data_strings(world))
    assert not found, f"Chinese left on the English page {path} as {actor}: {found}"


def test_visible_text_skips_other_language_runs_and_scripts():
    # given
    html = '<p>你好<button lang="en">English</button><script>var x = "code";</script><a aria-label="菜单">x</a></p>'
    # when
    chunks = visible_text(html, "zh-hans")
    # then
    assert chunks == ["你好", "菜单", "x"]
