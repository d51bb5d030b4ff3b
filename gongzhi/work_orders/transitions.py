"""The state machine: which step is possible from which state.

Flags (extension, supervision, urgent, on hold) are not states; their steps list the
states in which they may be used.
"""

from __future__ import annotations

from gongzhi.work_orders.choices import TO_DISPATCH, WITH_UNIT, Status

S = Status

#: verb -> states it may start from
ALLOWED_FROM: dict[str, frozenset[Status]] = {
    "accept": frozenset({S.SUBMITTED}),
    "reject": frozenset({S.SUBMITTED}),
    "dispatch": frozenset({S.SUBMITTED} | TO_DISPATCH),
    "sign": frozenset({S.DISPATCHED}),
    "return": frozenset({S.DISPATCHED}),
    "contact": frozenset({S.SIGNED, S.IN_PROGRESS}),
    "start": frozenset({S.SIGNED}),
    "reply": frozenset({S.SIGNED, S.IN_PROGRESS}),
    "follow_up": frozenset({S.REPLIED}),
    "close": frozenset({S.REPLIED}),
    "reopen": frozenset({S.REPLIED, S.CLOSED}),
    "merge": frozenset({S.SUBMITTED, S.ACCEPTED}),
    "transfer": WITH_UNIT,
    "request_extension": frozenset({S.SIGNED, S.IN_PROGRESS}),
    "decide_extension": frozenset({S.SIGNED, S.IN_PROGRESS}),
    "supervise": frozenset({S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.RETURNED, S.REOPENED, S.ACCEPTED, S.SUBMITTED}),
    # Urgency cues found in the text (danger to life or property) flag an open order urgent.
    "flag_urgent": frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.RETURNED, S.REOPENED}),
    "hold": frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.RETURNED, S.REOPENED}),
    "rate": frozenset({S.REPLIED, S.CLOSED}),
    "review": frozenset({S.REPLIED, S.CLOSED}),
    "attach": frozenset(set(Status) - {S.REJECTED, S.MERGED}),
    # Showing an attachment on the public board.
    "publish": frozenset(set(Status) - {S.REJECTED, S.MERGED}),
}

#: Verbs done by the unit handling the order (主办单位).
HANDLER_VERBS = frozenset({"sign", "return", "contact", "start", "reply", "request_extension"})
#: Verbs done by the resident who raised the order.
OWNER_VERBS = frozenset({"rate"})


def allows(verb: str, status: str) -> bool:
    return status in ALLOWED_FROM.get(verb, frozenset())
