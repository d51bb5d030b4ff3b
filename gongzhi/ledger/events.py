"""The governance events other domains put on the log, one helper per kind.

Each helper is called from inside the domain's own action (one call per action), so the
queued event commits or rolls back with it. Arguments are plain values, so the ledger
never imports the domains above it. Personal data never enters a payload: people and
free text that may name them are replaced by salted commitments
(:mod:`gongzhi.ledger.commitments`) whose salts can be erased under PIPL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gongzhi.ledger.choices import EventKind
from gongzhi.ledger.commitments import commit_personal_many
from gongzhi.ledger.models import PendingEvent
from gongzhi.ledger.sequencer import enqueue_event


def _subject(subject_type: str, subject_id: Any) -> str:
    """What a commitment to a person or record commits to: ``"app.model:pk"``."""
    return f"{subject_type}:{subject_id}"


def work_order_transition(
    *,
    number: str,
    step: str,
    from_status: str,
    to_status: str,
    event_id: int,
    organisation_id: int | None = None,
) -> PendingEvent:
    """A work order changed state (``from_status`` is empty for a new submission).

    The order number, step and states are not personal data; who acted and the notes stay
    in the audit log and the order's timeline (``event_id`` links to it).
    """
    return enqueue_event(
        EventKind.WORK_ORDER_TRANSITION,
        {
            "work_order": number,
            "step": step,
            "from": from_status,
            "to": to_status,
            "event_id": event_id,
            "organisation_id": organisation_id,
        },
    )


def personal_data_reveal(
    *,
    reveal_id: int,
    subject_type: str,
    subject_id: Any,
    field: str,
    actor_id: int | None,
    purpose: str,
) -> PendingEvent:
    """Someone read a sensitive value in full (or exported a person's data: ``field="*"``).

    Whose data (the subject), who read it and the stated purpose (free text that may name
    people) are committed, not written; the reveal log row ``reveal_id`` holds the details.
    """
    subject, actor, why = commit_personal_many(
        [_subject(subject_type, subject_id), _subject("accounts.user", actor_id), purpose]
    )
    return enqueue_event(
        EventKind.PERSONAL_DATA_REVEAL,
        {
            "reveal_id": reveal_id,
            "subject_type": subject_type,
            "subject": subject,
            "field": field,
            "actor": actor,
            "purpose": why,
        },
    )


def disclosure(
    *,
    subject_type: str,
    subject_ids: Sequence[Any],
    organisation_id: int,
    fields: Sequence[str],
    purpose: str,
    agreement_id: int | None = None,
    police_request_id: int | None = None,
) -> PendingEvent:
    """Personal data of ``subject_ids`` was handed to another department (one event per handover).

    One commitment per person, so each person can later be shown to be (or not be) in it,
    and erasing one person's salt does not unlink the others.
    """
    *subjects, why = commit_personal_many([*(_subject(subject_type, pk) for pk in subject_ids), purpose])
    return enqueue_event(
        EventKind.DISCLOSURE,
        {
            "organisation_id": organisation_id,
            "agreement_id": agreement_id,
            "police_request_id": police_request_id,
            "fields": sorted(fields),
            "subject_type": subject_type,
            "subjects": subjects,
            "count": len(subjects),
            "purpose": why,
        },
    )


def key_rotation(*, scope: str, stage: str, key_id: str, previous_key_id: str = "", **details: int) -> PendingEvent:
    """A key changed: ``scope`` says which (``privacy.encryption``; the ledger logs its own signing keys)."""
    return enqueue_event(
        EventKind.KEY_ROTATION,
        {"scope": scope, "stage": stage, "key_id": key_id, "previous_key_id": previous_key_id, **details},
    )


def admin_grant(
    *, grant_id: int, role: str, user_id: int, granted_by_id: int | None, change: str = "grant"
) -> PendingEvent:
    """An administrator role was granted (``change="grant"``) or revoked (``"revoke"``).

    The role is public; the holder and the granting security administrator are committed.
    """
    user, by = commit_personal_many([_subject("accounts.user", user_id), _subject("accounts.user", granted_by_id)])
    return enqueue_event(
        EventKind.ADMIN_GRANT, {"grant_id": grant_id, "role": role, "change": change, "user": user, "by": by}
    )
