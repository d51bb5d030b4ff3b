"""Design-system guarantees: AA contrast of the colour tokens, no CDN, nothing inline (CSP)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB_DIR = Path(__file__).resolve().parent.parent
CSS = (WEB_DIR / "static/web/css/gongzhi.css").read_text(encoding="utf-8")
TEMPLATES = sorted((WEB_DIR / "templates").rglob("*.html"))


def tokens(block_selector: str) -> dict[str, str]:
    block = re.search(r"^" + re.escape(block_selector) + r"\s*\{(.*?)\}", CSS, re.S | re.M)
    assert block, block_selector
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block.group(1)))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


#: (foreground, background, minimum): text pairs need 4.5, UI boundaries 3.
PAIRS = [
    ("c-ink", "c-surface", 4.5),
    ("c-ink", "c-bg", 4.5),
    ("c-ink-muted", "c-surface", 4.5),
    ("c-ink-muted", "c-bg", 4.5),
    ("c-primary-ink", "c-primary", 4.5),
    ("c-primary-ink", "c-primary-hover", 4.5),
    ("c-primary", "c-surface", 4.5),
    ("c-primary-hover", "c-primary-soft", 4.5),
    ("c-link", "c-surface", 4.5),
    ("c-link", "c-bg", 4.5),
    ("c-danger", "c-surface", 4.5),
    ("c-danger", "c-danger-soft", 4.5),
    ("c-success", "c-surface", 4.5),
    ("c-warning", "c-warning-soft", 4.5),
    ("c-ink", "c-info-soft", 4.5),
    ("c-border-strong", "c-surface", 3.0),
    ("c-focus", "c-surface", 3.0),
]


@pytest.mark.parametrize(("fg", "bg", "minimum"), PAIRS, ids=[f"{f}/{b}" for f, b, _ in PAIRS])
@pytest.mark.parametrize("mode", ["standard", "elder"])
def test_colour_pairs_meet_wcag_aa(fg, bg, minimum, mode):
    # given
    palette = tokens(":root")
    if mode == "elder":
        palette |= tokens(".elder")
    # then
    ratio = contrast(palette[fg], palette[bg])
    assert ratio >= minimum, f"{mode}: {fg} on {bg} is {ratio:.2f}:1"


def test_elder_mode_has_stronger_contrast_and_at_least_20px_type():
    # given
    standard, elder = tokens(":root"), tokens(":root") | tokens(".elder")
    # then
    assert contrast(elder["c-ink-muted"], elder["c-surface"]) > contrast(standard["c-ink-muted"], standard["c-surface"])
    root = re.search(r"html\.elder\s*\{\s*font-size:\s*(\d+)%", CSS)
    base = re.search(r"--fs-base:\s*([\d.]+)rem", CSS)
    assert root
    assert base
    assert 16 * int(root.group(1)) / 100 * float(base.group(1)) >= 20


def test_touch_target_token_is_at_least_44px():
    assert float(re.search(r"--touch:\s*([\d.]+)rem", CSS).group(1)) * 16 >= 44


def test_base_type_is_at_least_16px():
    assert float(re.search(r"--fs-base:\s*([\d.]+)rem", CSS).group(1)) * 16 >= 16


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB_DIR)))
def test_templates_load_nothing_from_another_origin_and_have_nothing_inline(path):
    # given
    html = path.read_text(encoding="utf-8")
    # then
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "external URL"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html, "inline <style>"
    assert not re.search(r"\sstyle=", html), "style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert "hx-on" not in html, "hx-on needs eval"


def test_css_imports_nothing_from_another_origin():
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", CSS)
    assert "@import" not in CSS
