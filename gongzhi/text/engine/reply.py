"""Reply quality: is an official reply relevant, complete and timely?

- relevance: bigram cosine between the message (title + text) and the reply, scaled so that a
  reply which restates the message's subject scores high;
- completeness: does the reply say what was done (action verbs), by whom (a named unit), by
  when (dates or deadlines) and on what basis (laws, rules, policies)?
- timeliness: working time is measured by the work-order clock; here calendar days from the
  message to the reply against ``due_days``.

The score is 0–100; warnings carry stable codes the UI translates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from gongzhi.text.engine.similarity import similarity
from gongzhi.text.engine.tokenise import normalise


class ReplyWarning(StrEnum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    OFF_TOPIC = "off_topic"
    NO_ACTION = "no_action"
    NO_UNIT = "no_unit"
    NO_TIME = "no_time"
    NO_BASIS = "no_basis"
    LATE = "late"
    BOILERPLATE = "boilerplate"


ACTION_RE = re.compile(
    r"经(?:调查|核实|查|了解|研究|现场)|已(?:经)?(?:安排|责令|要求|督促|处理|整改|完成|修复|清理|拆除|查处|解决|协调|落实|派|联系|回访|立案|下达|组织|启动|开展)"
    r"|现场(?:查看|勘查|核实|处理)|责令|约谈|处罚|罚款|整改|修复|维修|清理|疏通|拆除|更换|协调|安排|答复如下|处理情况|调查(?:处理)?情况|将(?:于|在|尽快)"
)
UNIT_RE = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9]{1,12}?(?:局|委员会|委|办公室|办|街道|社区|居委会|村委会|公司|中心|所|队|站|厅|院|部门|政府|分局|管理处)"
)
TIME_RE = re.compile(
    r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{1,2}[日号]前|\d+个?(?:工作日|日|天|周|月)内|年底前|月底前|本周|下周|近日|日前|目前|近期|即日起"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
)
BASIS_RE = re.compile(
    r"《[^》]{2,40}》|依据|根据|按照|依照|规定|条例|办法|政策|法律|法规|标准|文件|规划|第[一二三四五六七八九十百\d]+条"
)
BOILERPLATE_RE = re.compile(
    r"^(?:您好[!！,，。]?)?(?:感谢|谢谢)[^。]{0,30}(?:关注|支持|留言)[。！!]?$|^已收到|^已转(?:交|办)[^。]{0,20}[。]?$"
)


@dataclass
class ReplyCheck:
    score: int
    relevance: float
    has_action: bool
    has_unit: bool
    has_time: bool
    has_basis: bool
    days_taken: float | None
    warnings: list[ReplyWarning] = field(default_factory=list)

    @property
    def weak(self) -> bool:
        return self.score < WEAK_BELOW or ReplyWarning.OFF_TOPIC in self.warnings or ReplyWarning.EMPTY in self.warnings

    def as_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "weak": self.weak,
            "relevance": round(self.relevance, 3),
            "has_action": self.has_action,
            "has_unit": self.has_unit,
            "has_time": self.has_time,
            "has_basis": self.has_basis,
            "days_taken": None if self.days_taken is None else round(self.days_taken, 1),
            "warnings": [w.value for w in self.warnings],
        }


WEAK_BELOW = 60
DUE_DAYS = 15
MIN_CHARS = 40


def check_reply(
    message_title: str | None,
    message_text: str | None,
    reply: str | None,
    *,
    asked_at: datetime | None = None,
    replied_at: datetime | None = None,
    due_days: float = DUE_DAYS,
) -> ReplyCheck:
    """Score a reply; ``replied_at`` defaults to "not known" (no timeliness part)."""
    body = normalise(reply, max_chars=5000)
    if not body:
        return ReplyCheck(0, 0.0, False, False, False, False, None, [ReplyWarning.EMPTY])
    warnings: list[ReplyWarning] = []
    relevance = min(1.0, similarity(message_title, message_text, None, body) / 0.35)
    has_action = bool(ACTION_RE.search(body))
    has_unit = bool(UNIT_RE.search(body))
    has_time = bool(TIME_RE.search(body))
    has_basis = bool(BASIS_RE.search(body))
    days: float | None = None
    timely = 1.0
    if asked_at is not None and replied_at is not None:
        days = max(0.0, (replied_at - asked_at).total_seconds() / 86400)
        if days > due_days:
            timely = max(0.0, 1.0 - (days - due_days) / (3 * due_days))
            warnings.append(ReplyWarning.LATE)
    if len(body) < MIN_CHARS:
        warnings.append(ReplyWarning.TOO_SHORT)
    if BOILERPLATE_RE.search(body):
        warnings.append(ReplyWarning.BOILERPLATE)
    if relevance < 0.3:
        warnings.append(ReplyWarning.OFF_TOPIC)
    for ok, code in (
        (has_action, ReplyWarning.NO_ACTION),
        (has_unit, ReplyWarning.NO_UNIT),
        (has_time, ReplyWarning.NO_TIME),
        (has_basis, ReplyWarning.NO_BASIS),
    ):
        if not ok:
            warnings.append(code)
    completeness = (0.35 * has_action) + (0.25 * has_unit) + (0.2 * has_time) + (0.2 * has_basis)
    length = min(1.0, len(body) / 150)
    raw = 30 * relevance + 45 * completeness + 15 * timely + 10 * length
    if ReplyWarning.BOILERPLATE in warnings:
        raw = min(raw, 30)
    return ReplyCheck(
        score=round(raw),
        relevance=relevance,
        has_action=has_action,
        has_unit=has_unit,
        has_time=has_time,
        has_basis=has_basis,
        days_taken=days,
        warnings=warnings,
    )
