"""A small .po reader for the catalogue tests (no third-party dependency)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text else ""


def read_po(path: Path) -> list[PoEntry]:
    entries: list[PoEntry] = []
    current: PoEntry | None = None
    key: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, key
        if current is not None and (current.msgid or current.msgstr or current.is_header):
            entries.append(current)
        current, key = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            if current is None:
                current = PoEntry(line=number)
            current.obsolete = True
            continue
        if line.startswith("#,"):
            if current is not None and key is not None:
                finish()
            current = current or PoEntry(line=number)
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            if current is not None and key is not None:
                finish()
            continue
        current = current or PoEntry(line=number)
        if line.startswith('"'):
            if key is None:
                raise ValueError(f"{path}:{number}: continuation without a keyword")
            kind, index = key
            value = _unquote(line)
            if kind == "msgid":
                current.msgid += value
            elif kind == "msgid_plural":
                current.msgid_plural += value
            elif kind == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + value
            else:
                current.msgstr[index] += value
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in {"msgid", "msgctxt"} and key is not None and key[0] == "msgstr":
            finish()
            current = PoEntry(line=number)
        value = _unquote(rest.strip())
        if keyword == "msgid":
            current.msgid, key = value, ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural, key = value, ("msgid_plural", 0)
        elif keyword == "msgctxt":
            current.msgctxt, key = value, ("msgctxt", 0)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            current.msgstr[index] = value
            key = ("msgstr", index)
        else:
            raise ValueError(f"{path}:{number}: unknown keyword {keyword!r}")
    finish()
    return entries
