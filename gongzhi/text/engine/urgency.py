"""Urgency cues: danger to life or property mentioned in a message.

Each cue is a named pattern; ``find_urgency_cues`` returns the cues found with the matched
words so the dispatcher sees *why* a message was flagged. A cue preceded by a negation
(没有/并未/不是…) or followed by 隐患 ("a hazard", not an emergency) does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from gongzhi.text.engine.tokenise import normalise


class UrgencyCue(StrEnum):
    GAS_LEAK = "gas_leak"
    FIRE = "fire"
    TRAPPED = "trapped"
    SELF_HARM = "self_harm"
    ALONE_UNREACHABLE = "alone_unreachable"
    COLLAPSE = "collapse"
    ELECTRIC = "electric"
    FLOOD = "flood"
    VIOLENCE = "violence"
    POISONING = "poisoning"
    MEDICAL = "medical"


@dataclass(frozen=True)
class CueMatch:
    cue: UrgencyCue
    words: str
    start: int


_PATTERNS: dict[UrgencyCue, str] = {
    UrgencyCue.GAS_LEAK: (
        r"(?:煤气|燃气|天然气|液化气|气罐|管道气)[^，。！？,.!?]{0,8}"
        r"(?:泄漏|泄露|漏气|外泄|味道很?[大重浓]|气味很?[大重浓])"
        r"|漏气|闻到[^，。]{0,4}(?:煤气|燃气)味"
    ),
    UrgencyCue.FIRE: r"着火|起火|失火|火灾|大火|燃烧起来|烧起来|火势",
    UrgencyCue.TRAPPED: r"被困|困在|关在电梯|电梯[^，。]{0,6}(?:困人|卡住|有人)",
    UrgencyCue.SELF_HARM: r"自杀|轻生|跳楼|跳河|不想活|割腕|寻短见|喝农药|活不下去|一死了之",
    UrgencyCue.ALONE_UNREACHABLE: (
        r"(?:独居|孤寡|空巢|老人|老太|老大爷|老奶奶)[^。！？]{0,20}"
        r"(?:联系不上|联系不到|失联|[几好多两三]天没(?:有)?(?:见|出门|露面|开门)"
        r"|敲门[^，。]{0,4}(?:没|无)人?(?:应|回应|开)|电话[^，。]{0,4}(?:没|无)人接)"
    ),
    UrgencyCue.COLLAPSE: r"倒塌|坍塌|塌方|垮塌|塌陷|快要?倒了|摇摇欲坠|墙体开裂[^，。]{0,6}(?:严重|随时)",
    UrgencyCue.ELECTRIC: r"触电|漏电|电线[^，。]{0,6}(?:掉落|裸露|断落|冒火花|打火)|高压线[^，。]{0,6}(?:断|掉)",
    UrgencyCue.FLOOD: r"被淹|淹没|倒灌|水漫进|洪水|内涝[^，。]{0,6}(?:严重|进屋)",
    UrgencyCue.VIOLENCE: r"持刀|砍人|行凶|家暴|殴打|打伤|暴力威胁|威胁要?杀",
    UrgencyCue.POISONING: r"中毒|一氧化碳",
    UrgencyCue.MEDICAL: r"昏迷|晕倒|不省人事|呼吸困难|大出血|生命危险|危及生命|奄奄一息",
}
_COMPILED = {cue: re.compile(p) for cue, p in _PATTERNS.items()}
_NEGATION = re.compile(
    r"(?:没有|并未|未曾|未|不是|不会|无|防止|预防|避免|以免|防范|如果|万一|一旦|谨防|引起|引发|造成|导致|容易|极易|发生)[^，。！？]{0,2}$"
)
_HAZARD_AFTER = re.compile(
    r"^[^，。！？]{0,3}(?:隐患|风险|演练|预案|知识|宣传|培训|检查|通道|设施|救援|怎么办|事故|户)"
)


def find_urgency_cues(title: str | None, text: str | None) -> list[CueMatch]:
    """The urgency cues in a message (title first), at most one match per cue."""
    joined = normalise((title or "") + "。" + (text or ""), max_chars=20_000)
    out: list[CueMatch] = []
    for cue, rx in _COMPILED.items():
        for m in rx.finditer(joined):
            before = joined[max(0, m.start() - 6) : m.start()]
            after = joined[m.end() : m.end() + 8]
            if _NEGATION.search(before) or _HAZARD_AFTER.search(after):
                continue
            out.append(CueMatch(cue, m.group(), m.start()))
            break
    out.sort(key=lambda c: c.start)
    return out


def is_urgent(title: str | None, text: str | None) -> bool:
    return bool(find_urgency_cues(title, text))
