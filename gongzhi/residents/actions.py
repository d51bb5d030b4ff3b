"""Every write to households and residents. Each action writes exactly one change record."""

from __future__ import annotations

import datetime
import difflib
import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from gongzhi.audit.actions import record_change, snapshot
from gongzhi.audit.decorators import action
from gongzhi.core import context
from gongzhi.ledger import events as ledger_events
from gongzhi.organisations.choices import OrganisationKind
from gongzhi.privacy import crypto
from gongzhi.privacy.choices import ConsentGiver, ConsentPurpose
from gongzhi.privacy.models import RevealLog
from gongzhi.privacy.queries import get_active_consent
from gongzhi.privacy.validators import birth_date_from_id, gender_digit_is_male
from gongzhi.residents import bulk, parsing, retention, staging, uploads
from gongzhi.residents.choices import (
    IMPORT_ACTIVE_STATUSES,
    IMPORT_FIELDS,
    SENSITIVE_TAGS,
    AgreementStatus,
    ContactPreference,
    Gender,
    ImportStatus,
    PoliceRequestStatus,
    Relation,
    RequestKind,
    RequestStatus,
    ResidenceType,
    ReviewStatus,
    TagKind,
)
from gongzhi.residents.errors import ResidentError, ResidentErrorCode, SharingForbidden
from gongzhi.residents.models import (
    DataSubjectRequest,
    HealthFile,
    Household,
    HouseholdMembership,
    ImportBatch,
    ImportChange,
    ImportCreatedRange,
    ImportProfile,
    ImportReview,
    ImportRowError,
    Resident,
    ResidentTag,
    ValueLineage,
    Visit,
)
from gongzhi.residents.models.rights import RESPONSE_DAYS, RetentionRun
from gongzhi.residents.models.sharing import (
    POLICE_APPROVALS,
    POLICE_REQUEST_VALID_DAYS,
    Disclosure,
    PoliceRequest,
    PoliceRequestApproval,
    SharingAgreement,
)
from gongzhi.residents.queries import collect_resident_data, common_area_path, residents_for_sharing, shared_values
from gongzhi.territory.choices import AreaLevel

RESIDENT_FIELDS = frozenset(
    {
        "name",
        "gender",
        "date_of_birth",
        "id_number",
        "phone",
        "ethnicity",
        "occupation",
        "employer",
        "contact_preference",
    }
)
HOUSEHOLD_FIELDS = frozenset({"address", "number", "note", "is_active"})
HEALTH_FIELDS = ("chronic_conditions", "disability_details", "care_needs", "emergency_contacts")


def _require_grid(grid: Any) -> None:
    if grid.level != AreaLevel.GRID:
        raise ResidentError(ResidentErrorCode.AREA_NOT_A_GRID, field="grid")


def _check_unique_id_number(id_number: str, *, exclude_pk: int | None = None) -> None:
    if not id_number:
        return
    clash = Resident.objects.filter(id_number_index__in=crypto.blind_indexes(id_number, kind="id_number"))
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ResidentError(ResidentErrorCode.DUPLICATE_ID_NUMBER, field="id_number")


@action
def register_household(
    *, grid: Any, actor: Any, room: Any = None, address: str = "", number: str = "", note: str = ""
) -> Household:
    _require_grid(grid)
    if room is not None:
        if room.unit.building.grid_id != grid.pk:
            raise ResidentError(
                ResidentErrorCode.HOUSEHOLD_PLACE_REQUIRED, "The room is not in this grid.", field="room"
            )
        address = address or f"{room.unit.building.address} {room}"
    if room is None and not address.strip():
        raise ResidentError(ResidentErrorCode.HOUSEHOLD_PLACE_REQUIRED, field="address")
    household = Household.objects.create(
        grid=grid, area_path=grid.path, room=room, address=address.strip(), number=number, note=note
    )
    record_change(household, verb="register", actor=actor)
    return household


@action
def update_household(household: Household, *, actor: Any, **changes: Any) -> Household:
    before = snapshot(household)
    fields = [k for k in changes if k in HOUSEHOLD_FIELDS]
    for key in fields:
        setattr(household, key, changes[key])
    household.save(update_fields=[*fields, "updated_at"])
    record_change(household, verb="update", actor=actor, before=before)
    return household


def _derive_from_id(data: dict[str, Any]) -> None:
    number = data.get("id_number") or ""
    if number and not data.get("date_of_birth"):
        data["date_of_birth"] = birth_date_from_id(number)
    if number and data.get("gender", Gender.UNKNOWN) == Gender.UNKNOWN:
        data["gender"] = Gender.MALE if gender_digit_is_male(number) else Gender.FEMALE


@action
def register_resident(
    *,
    grid: Any,
    actor: Any,
    name: str,
    household: Household | None = None,
    relation: str = Relation.HEAD,
    residence_type: str = ResidenceType.RESIDENT,
    moved_in_on: datetime.date | None = None,
    **data: Any,
) -> Resident:
    """Register a person in ``grid`` (and, if given, into ``household`` in the same step)."""
    _require_grid(grid)
    unknown = set(data) - RESIDENT_FIELDS
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    _derive_from_id(data)
    _check_unique_id_number(data.get("id_number", ""))
    if household is not None:
        grid = household.grid
    try:
        resident = Resident.objects.create(name=name.strip(), grid=grid, area_path=grid.path, **data)
    except IntegrityError:  # a concurrent registration of the same ID number won the race
        raise ResidentError(ResidentErrorCode.DUPLICATE_ID_NUMBER, field="id_number") from None
    after: dict[str, Any] = snapshot(resident) or {}
    if household is not None:
        membership = HouseholdMembership.objects.create(
            household=household,
            resident=resident,
            area_path=household.area_path,
            relation=relation,
            residence_type=residence_type,
            moved_in_on=moved_in_on or timezone.localdate(),
        )
        after["membership"] = {"id": membership.pk, "household_id": household.pk, "relation": relation}
    record_change(resident, verb="register", actor=actor, after=after)
    return resident


@action
def update_resident(resident: Resident, *, actor: Any, **changes: Any) -> Resident:
    unknown = set(changes) - RESIDENT_FIELDS
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    before = snapshot(resident)
    if "id_number" in changes:
        _check_unique_id_number(changes["id_number"], exclude_pk=resident.pk)
    for key, value in changes.items():
        setattr(resident, key, value)
    fields = list(changes)
    fields += [f"{k}_index" for k in ("id_number", "phone") if k in changes]
    resident.save(update_fields=[*fields, "updated_at"])
    record_change(resident, verb="update", actor=actor, before=before)
    return resident


@action
def move_in(
    household: Household,
    resident: Resident,
    *,
    actor: Any,
    relation: str = Relation.OTHER_RELATIVE,
    residence_type: str = ResidenceType.RESIDENT,
    moved_in_on: datetime.date | None = None,
) -> HouseholdMembership:
    """Add a person to a household; their grid (and so who looks after them) follows it."""
    if HouseholdMembership.objects.filter(household=household, resident=resident, moved_out_on__isnull=True).exists():
        raise ResidentError(ResidentErrorCode.ALREADY_MEMBER)
    membership = HouseholdMembership.objects.create(
        household=household,
        resident=resident,
        area_path=household.area_path,
        relation=relation,
        residence_type=residence_type,
        moved_in_on=moved_in_on or timezone.localdate(),
    )
    if residence_type != ResidenceType.VACANT and resident.area_path != household.area_path:
        Resident.objects.filter(pk=resident.pk).update(
            grid=household.grid, area_path=household.area_path, updated_at=timezone.now()
        )
        ResidentTag.objects.filter(resident=resident).update(area_path=household.area_path)
        HealthFile.objects.filter(resident=resident).update(area_path=household.area_path)
    record_change(membership, verb="move_in", actor=actor, related=household)
    return membership


@action
def move_out(
    membership: HouseholdMembership, *, actor: Any, moved_out_on: datetime.date | None = None, reason: str = ""
) -> HouseholdMembership:
    membership = HouseholdMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.moved_out_on is not None:
        raise ResidentError(ResidentErrorCode.NOT_A_MEMBER)
    day = moved_out_on or timezone.localdate()
    if day < membership.moved_in_on:
        raise ResidentError(ResidentErrorCode.MOVE_OUT_BEFORE_MOVE_IN, field="moved_out_on")
    before = snapshot(membership)
    membership.moved_out_on = day
    membership.move_out_reason = reason
    membership.save(update_fields=["moved_out_on", "move_out_reason", "updated_at"])
    record_change(membership, verb="move_out", actor=actor, before=before)
    return membership


def _require_health_consent(resident: Resident) -> Any:
    """The person's separate consent for health data (a guardian's for under-14s)."""
    consent = get_active_consent(resident, ConsentPurpose.HEALTH)
    if consent is None:
        raise ResidentError(ResidentErrorCode.CONSENT_REQUIRED)
    if resident.needs_guardian_consent and consent.given_by != ConsentGiver.GUARDIAN:
        raise ResidentError(ResidentErrorCode.GUARDIAN_CONSENT_REQUIRED)
    return consent


@action
def set_tag(resident: Resident, *, kind: str, actor: Any, grade: int | None = None, note: str = "") -> ResidentTag:
    if kind == TagKind.DISABLED and not grade:
        raise ResidentError(ResidentErrorCode.GRADE_REQUIRED, field="grade")
    if kind in SENSITIVE_TAGS:
        _require_health_consent(resident)
    if ResidentTag.objects.filter(resident=resident, kind=kind, removed_at__isnull=True).exists():
        raise ResidentError(ResidentErrorCode.TAG_ALREADY_SET, field="kind")
    tag = ResidentTag.objects.create(
        resident=resident,
        area_path=resident.area_path,
        kind=kind,
        grade=grade if kind == TagKind.DISABLED else None,
        note=note,
        set_by=actor,
    )
    record_change(tag, verb="set_tag", actor=actor, related=resident)
    return tag


@action
def remove_tag(tag: ResidentTag, *, actor: Any) -> ResidentTag:
    tag = ResidentTag.objects.select_for_update().get(pk=tag.pk)
    if tag.removed_at is not None:
        raise ResidentError(ResidentErrorCode.TAG_ALREADY_REMOVED)
    before = snapshot(tag)
    tag.removed_at = timezone.now()
    tag.removed_by = actor
    tag.save(update_fields=["removed_at", "removed_by", "updated_at"])
    record_change(tag, verb="remove_tag", actor=actor, before=before)
    return tag


@action
def save_health_file(resident: Resident, *, actor: Any, **fields: Any) -> HealthFile:
    """Create or update the health and care file; refused without the separate consent."""
    unknown = set(fields) - set(HEALTH_FIELDS)
    if unknown:
        raise TypeError(f"unknown health fields: {sorted(unknown)}")
    consent = _require_health_consent(resident)
    health = HealthFile.objects.select_for_update().filter(resident=resident).first()
    before = snapshot(health)
    if health is None:
        health = HealthFile(resident=resident, area_path=resident.area_path)
    for key, value in fields.items():
        setattr(health, key, value or "")
    health.consent = consent
    health.updated_by = actor
    health.save()
    record_change(health, verb="save_health_file", actor=actor, before=before, related=resident)
    return health


@action
def record_visit(
    household: Household,
    *,
    actor: Any,
    visited_on: datetime.date,
    kind: str,
    notes: str = "",
    resident: Resident | None = None,
    follow_up: str = "",
    follow_up_due: datetime.date | None = None,
) -> Visit:
    if (
        resident is not None
        and not HouseholdMembership.objects.filter(
            household=household, resident=resident, moved_out_on__isnull=True
        ).exists()
    ):
        raise ResidentError(ResidentErrorCode.NOT_IN_HOUSEHOLD, field="resident")
    visit = Visit.objects.create(
        household=household,
        resident=resident,
        area_path=household.area_path,
        visitor=actor,
        visited_on=visited_on,
        kind=kind,
        notes=notes,
        follow_up=follow_up,
        follow_up_due=follow_up_due,
    )
    record_change(visit, verb="record_visit", actor=actor, related=household)
    return visit


@action
def complete_follow_up(visit: Visit, *, actor: Any) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.follow_up_done_at is not None:
        raise ResidentError(ResidentErrorCode.FOLLOW_UP_ALREADY_DONE)
    before = snapshot(visit)
    visit.follow_up_done_at = timezone.now()
    visit.save(update_fields=["follow_up_done_at", "updated_at"])
    record_change(visit, verb="complete_follow_up", actor=actor, before=before)
    return visit


# --- data-subject rights (PIPL art. 44-47) -----------------------------------------------------

MIN_REASON_LENGTH = 4
ANONYMOUS_NAME = "匿名"


@action
def submit_data_request(resident: Resident, *, kind: str, actor: Any, details: str = "") -> DataSubjectRequest:
    """Open a request to get a copy of, correct or delete the person's data; due in RESPONSE_DAYS."""
    Resident.objects.select_for_update().filter(pk=resident.pk).first()
    if kind != RequestKind.ACCESS and resident.anonymised_at is not None:
        raise ResidentError(ResidentErrorCode.ALREADY_ANONYMISED)
    if DataSubjectRequest.objects.filter(resident=resident, kind=kind, status=RequestStatus.OPEN).exists():
        raise ResidentError(ResidentErrorCode.REQUEST_ALREADY_OPEN, field="kind")
    request = DataSubjectRequest.objects.create(
        resident=resident,
        area_path=resident.area_path,
        kind=kind,
        details=details.strip(),
        submitted_by=actor,
        due_on=timezone.localdate() + datetime.timedelta(days=RESPONSE_DAYS),
    )
    record_change(request, verb="submit_data_request", actor=actor, related=resident)
    return request


def _open_request(request: DataSubjectRequest) -> DataSubjectRequest:
    request = DataSubjectRequest.objects.select_for_update().select_related("resident").get(pk=request.pk)
    if request.status != RequestStatus.OPEN:
        raise ResidentError(ResidentErrorCode.REQUEST_NOT_OPEN)
    return request


def _anonymise(resident: Resident) -> dict[str, int]:
    """Erase what identifies the person; keep the rows that statutory records need
    (memberships, visits, tags by kind) so counts and histories stay true."""
    resident.name = ANONYMOUS_NAME
    resident.id_number = ""
    resident.phone = ""
    resident.date_of_birth = None
    resident.ethnicity = ""
    resident.occupation = ""
    resident.employer = ""
    resident.contact_preference = ContactPreference.NONE
    resident.user = None
    resident.anonymised_at = timezone.now()
    resident.save(
        update_fields=[
            "name", "id_number", "id_number_index", "phone", "phone_index", "date_of_birth", "ethnicity",
            "occupation", "employer", "contact_preference", "user", "anonymised_at", "updated_at",
        ]
    )  # fmt: skip
    health = HealthFile.objects.filter(resident=resident).delete()[0]
    visits = Visit.objects.filter(resident=resident).exclude(notes="").update(notes="", updated_at=timezone.now())
    tags = ResidentTag.objects.filter(resident=resident).exclude(note="").update(note="", updated_at=timezone.now())
    HouseholdMembership.objects.filter(resident=resident).exclude(move_out_reason="").update(move_out_reason="")
    return {"health_files_deleted": health, "visit_notes_erased": visits, "tag_notes_erased": tags}


@action
def complete_data_request(request: DataSubjectRequest, *, actor: Any, resolution: str = "") -> DataSubjectRequest:
    """Close a request as done. A deletion anonymises the person here (the register must
    keep household and visit records, so rows stay and identifying values go); a
    correction needs a note of what was corrected (the edit itself is ``update_resident``)."""
    request = _open_request(request)
    resolution = resolution.strip()
    details: dict[str, Any] = {}
    if request.kind == RequestKind.CORRECTION and len(resolution) < MIN_REASON_LENGTH:
        raise ResidentError(ResidentErrorCode.RESOLUTION_REQUIRED, field="resolution")
    if request.kind == RequestKind.DELETION:
        resident = Resident.objects.select_for_update().get(pk=request.resident_id)
        if resident.legal_hold:
            raise ResidentError(ResidentErrorCode.LEGAL_HOLD)
        if resident.anonymised_at is None:
            details = _anonymise(resident)
    before = snapshot(request)
    request.status = RequestStatus.COMPLETED
    request.resolution = resolution[:500]
    request.handled_by = actor
    request.handled_at = timezone.now()
    request.save(update_fields=["status", "resolution", "handled_by", "handled_at", "updated_at"])
    after = {**(snapshot(request) or {}), **details}
    record_change(request, verb="complete_data_request", actor=actor, before=before, after=after)
    return request


@action
def refuse_data_request(request: DataSubjectRequest, *, actor: Any, reason: str) -> DataSubjectRequest:
    """Refuse with a stated reason (PIPL art. 50: the person is told why)."""
    request = _open_request(request)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ResidentError(ResidentErrorCode.REASON_REQUIRED, field="reason")
    before = snapshot(request)
    request.status = RequestStatus.REFUSED
    request.refusal_reason = reason[:500]
    request.handled_by = actor
    request.handled_at = timezone.now()
    request.save(update_fields=["status", "refusal_reason", "handled_by", "handled_at", "updated_at"])
    record_change(request, verb="refuse_data_request", actor=actor, before=before)
    return request


@action
def export_resident_data(resident: Resident, *, actor: Any, purpose: str) -> dict[str, Any]:
    """Everything held about the person (PIPL art. 45), unmasked, with the export logged
    in the reveal log (who, whose, why) like any full read."""
    data = collect_resident_data(resident)
    log = RevealLog.objects.create(
        actor=actor,
        actor_label=str(actor)[:150],
        subject_type=ContentType.objects.get_for_model(resident),
        subject_id=str(resident.pk),
        subject_label=resident.masked_label()[:200],
        field="*",
        purpose=purpose[:300],
        area_path=resident.area_path,
        request_id=context.current().request_id,
    )
    ledger_events.personal_data_reveal(
        reveal_id=log.pk,
        subject_type="residents.resident",
        subject_id=resident.pk,
        field="*",
        actor_id=actor.pk,
        purpose=purpose,
    )
    record_change(log, verb="export_resident_data", actor=actor, related=resident)
    return data


# --- retention and legal hold ------------------------------------------------------------------


@action
def set_legal_hold(resident: Resident, *, actor: Any, hold: bool, reason: str) -> Resident:
    """Put a person's records under legal hold (or release them): retention and deletion
    requests leave held records alone. The reason goes into the change record."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ResidentError(ResidentErrorCode.REASON_REQUIRED, field="reason")
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    before = snapshot(resident)
    resident.legal_hold = hold
    resident.save(update_fields=["legal_hold", "updated_at"])
    after = {**(snapshot(resident) or {}), "reason": reason[:300]}
    record_change(
        resident, verb="legal_hold" if hold else "release_legal_hold", actor=actor, before=before, after=after
    )
    return resident


def _expire_import_uploads(day: datetime.date, *, dry_run: bool) -> int:
    """Stored uploads of failed import sets nobody resumed within
    ``GONGZHI_IMPORT_UPLOAD_RETENTION_DAYS`` are deleted (the set stays, can be rolled back,
    no longer resumed). Uploads of finished, cancelled and rolled-back sets are already gone."""
    from django.conf import settings

    cutoff = retention.start_of(day) - datetime.timedelta(days=settings.GONGZHI_IMPORT_UPLOAD_RETENTION_DAYS)
    due = ImportBatch.objects.filter(status=ImportStatus.FAILED, updated_at__lt=cutoff).exclude(upload="")
    if dry_run:
        return due.count()
    expired = list(due.select_for_update())
    for batch in expired:
        _delete_upload_after_commit(batch.upload)
        batch.upload = ""
    ImportBatch.objects.bulk_update(expired, ["upload"])
    return len(expired)


@action
def apply_retention(*, actor: Any = None, today: datetime.date | None = None, dry_run: bool = False) -> RetentionRun:
    """Delete or anonymise everything past its retention period (see ``retention.RULES``).

    Idempotent: a second run on the same day finds nothing left to do. Rows of people
    under legal hold are never touched. ``dry_run`` only counts.
    """
    day = today or timezone.localdate()
    counts: dict[str, int] = {}
    for rule in retention.RULES:
        rows = retention.due(rule.name, day)
        if dry_run:
            counts[rule.name] = rows.count()
        elif rule.effect == "anonymise":
            pks = list(rows.values_list("pk", flat=True))
            people = list(Resident.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
            for person in people:
                _anonymise(person)
            counts[rule.name] = len(people)
        else:
            model = rows.model
            pks = list(rows.values_list("pk", flat=True))
            deleted = model._base_manager.filter(pk__in=pks).delete()[1]
            counts[rule.name] = deleted.get(model._meta.label, 0)
    counts["import_uploads"] = _expire_import_uploads(day, dry_run=dry_run)
    run = RetentionRun.objects.create(day=day, counts=counts, dry_run=dry_run)
    record_change(run, verb="apply_retention" if not dry_run else "plan_retention", actor=actor, after=counts)
    return run


# --- sharing with other organisations (PIPL art. 23, 34-35) ------------------------------------


@action
def create_agreement(
    *,
    organisation: Any,
    purpose: str,
    legal_basis: str,
    fields: list[str],
    areas: list[Any],
    valid_from: datetime.date,
    valid_until: datetime.date,
    actor: Any,
) -> SharingAgreement:
    """Draft an agreement; it shares nothing until someone other than its author approves it."""
    if valid_until < valid_from:
        raise ResidentError(ResidentErrorCode.MOVE_OUT_BEFORE_MOVE_IN, "The agreement ends before it starts.")
    agreement = SharingAgreement.objects.create(
        organisation=organisation,
        purpose=purpose.strip(),
        legal_basis=legal_basis.strip(),
        fields=sorted(set(fields)),
        area_path=common_area_path([a.path for a in areas]),
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
    )
    agreement.areas.set(areas)
    after = {**(snapshot(agreement) or {}), "areas": sorted(a.code for a in areas)}
    record_change(agreement, verb="create_agreement", actor=actor, after=after)
    return agreement


@action
def approve_agreement(agreement: SharingAgreement, *, actor: Any) -> SharingAgreement:
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != AgreementStatus.DRAFT:
        raise ResidentError(ResidentErrorCode.AGREEMENT_NOT_DRAFT)
    if agreement.created_by_id == actor.pk:
        raise ResidentError(ResidentErrorCode.SELF_APPROVAL)
    before = snapshot(agreement)
    agreement.status = AgreementStatus.APPROVED
    agreement.approved_by = actor
    agreement.approved_at = timezone.now()
    agreement.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    record_change(agreement, verb="approve_agreement", actor=actor, before=before)
    return agreement


@action
def revoke_agreement(agreement: SharingAgreement, *, actor: Any, reason: str) -> SharingAgreement:
    """Stop sharing at once (e.g. the organisation misused data or the purpose ended)."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ResidentError(ResidentErrorCode.REASON_REQUIRED, field="reason")
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    before = snapshot(agreement)
    agreement.status = AgreementStatus.REVOKED
    agreement.revoked_at = timezone.now()
    agreement.save(update_fields=["status", "revoked_at", "updated_at"])
    after = {**(snapshot(agreement) or {}), "reason": reason[:300]}
    record_change(agreement, verb="revoke_agreement", actor=actor, before=before, after=after)
    return agreement


def _log_disclosures(
    residents: list[Resident],
    *,
    organisation: Any,
    actor: Any,
    fields: list[str],
    purpose: str,
    agreement: SharingAgreement | None = None,
    police_request: PoliceRequest | None = None,
) -> None:
    request_id = context.current().request_id
    Disclosure.objects.bulk_create(
        [
            Disclosure(
                resident=r,
                area_path=r.area_path,
                organisation=organisation,
                actor=actor,
                actor_label=str(actor)[:150],
                agreement=agreement,
                police_request=police_request,
                fields=fields,
                purpose=purpose[:300],
                request_id=request_id,
            )
            for r in residents
        ]
    )
    ledger_events.disclosure(
        subject_type="residents.resident",
        subject_ids=[r.pk for r in residents],
        organisation_id=organisation.pk,
        fields=fields,
        purpose=purpose,
        agreement_id=agreement.pk if agreement is not None else None,
        police_request_id=police_request.pk if police_request is not None else None,
    )


@action
def disclose_under_agreement(
    agreement: SharingAgreement, residents: list[Resident], *, actor: Any
) -> list[dict[str, Any]]:
    """The agreed fields of ``residents`` (already limited to the agreed areas) for the
    agreement's organisation, each disclosure logged. Police never get data this way."""
    if agreement.organisation.kind == OrganisationKind.POLICE_STATION:
        raise SharingForbidden(ResidentErrorCode.POLICE_REQUEST_REQUIRED)
    if not agreement.is_valid_on():
        raise SharingForbidden(ResidentErrorCode.AGREEMENT_NOT_VALID)
    rows = [shared_values(r, agreement.fields) for r in residents]
    _log_disclosures(
        residents,
        organisation=agreement.organisation,
        actor=actor,
        fields=agreement.fields,
        purpose=agreement.purpose,
        agreement=agreement,
    )
    record_change(agreement, verb="disclose", actor=actor, after={"residents": len(residents)})
    return rows


@action
def file_police_request(
    resident: Resident,
    *,
    organisation: Any,
    actor: Any,
    document_number: str,
    legal_basis: str,
    purpose: str,
    fields: list[str],
) -> PoliceRequest:
    """A police station asks for one person's data, citing its document (调取证据通知书 …)."""
    if organisation.kind != OrganisationKind.POLICE_STATION:
        raise ResidentError(ResidentErrorCode.NOT_POLICE)
    request = PoliceRequest.objects.create(
        organisation=organisation,
        requested_by=actor,
        resident=resident,
        area_path=resident.area_path,
        document_number=document_number.strip(),
        legal_basis=legal_basis.strip(),
        purpose=purpose.strip(),
        fields=sorted(set(fields)),
    )
    record_change(request, verb="file_police_request", actor=actor, related=resident)
    return request


@action
def approve_police_request(request: PoliceRequest, *, actor: Any) -> PoliceRequest:
    """One of the two distinct sign-offs; the second makes the request usable for
    POLICE_REQUEST_VALID_DAYS. The requester cannot approve."""
    request = PoliceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != PoliceRequestStatus.PENDING:
        raise ResidentError(ResidentErrorCode.POLICE_REQUEST_NOT_PENDING)
    if request.requested_by_id == actor.pk:
        raise ResidentError(ResidentErrorCode.SELF_APPROVAL)
    if PoliceRequestApproval.objects.filter(request=request, approver=actor).exists():
        raise ResidentError(ResidentErrorCode.ALREADY_APPROVED)
    before = snapshot(request)
    PoliceRequestApproval.objects.create(request=request, approver=actor)
    approvals = PoliceRequestApproval.objects.filter(request=request).count()
    if approvals >= POLICE_APPROVALS:
        request.status = PoliceRequestStatus.APPROVED
        request.approved_at = timezone.now()
        request.valid_until = request.approved_at + datetime.timedelta(days=POLICE_REQUEST_VALID_DAYS)
        request.save(update_fields=["status", "approved_at", "valid_until", "updated_at"])
    after = {**(snapshot(request) or {}), "approvals": approvals}
    record_change(request, verb="approve_police_request", actor=actor, before=before, after=after)
    return request


@action
def reject_police_request(request: PoliceRequest, *, actor: Any, reason: str) -> PoliceRequest:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ResidentError(ResidentErrorCode.REASON_REQUIRED, field="reason")
    request = PoliceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != PoliceRequestStatus.PENDING:
        raise ResidentError(ResidentErrorCode.POLICE_REQUEST_NOT_PENDING)
    before = snapshot(request)
    request.status = PoliceRequestStatus.REJECTED
    request.rejection_reason = reason[:300]
    request.save(update_fields=["status", "rejection_reason", "updated_at"])
    record_change(request, verb="reject_police_request", actor=actor, before=before)
    return request


@action
def disclose_to_police(request: PoliceRequest, *, actor: Any) -> dict[str, Any]:
    """The requested fields of the person, while the request is approved and unexpired; logged."""
    if not request.is_usable():
        raise SharingForbidden(ResidentErrorCode.POLICE_REQUEST_NOT_USABLE)
    resident = residents_for_sharing([""]).filter(pk=request.resident_id).first()
    if resident is None:  # anonymised since the request was filed
        raise SharingForbidden(ResidentErrorCode.POLICE_REQUEST_NOT_USABLE)
    data = shared_values(resident, request.fields)
    _log_disclosures(
        [resident],
        organisation=request.organisation,
        actor=actor,
        fields=request.fields,
        purpose=f"{request.document_number}: {request.purpose}",
        police_request=request,
    )
    record_change(request, verb="disclose", actor=actor, after={"resident": resident.pk, "fields": request.fields})
    return data


# --- multi-source import -----------------------------------------------------------------------

#: Values typed in by staff count as this priority: a source above it may overwrite them.
MANUAL_PRIORITY = 60
#: Address similarity (0-1) above which a same-name, same-birthday person goes to review.
FUZZY_ADDRESS_THRESHOLD = 0.6
#: An import set that wrote (or may have written) data; a queued one has written nothing.
ROLLBACKABLE_STATUSES = frozenset(
    {ImportStatus.RUNNING, ImportStatus.COMMITTED, ImportStatus.FAILED, ImportStatus.CANCELLED}
)
_PERSON_FIELDS = ("name", "id_number", "phone", "gender", "date_of_birth", "ethnicity", "occupation", "employer")


@action
def save_import_profile(
    *, name: str, source: str, column_map: dict[str, str], priority: int, area: Any, actor: Any
) -> ImportProfile:
    """Create or replace the column mapping of one source (by name)."""
    profile = ImportProfile.objects.select_for_update().filter(name=name).first()
    before = snapshot(profile)
    if profile is None:
        profile = ImportProfile(name=name, created_by=actor)
    profile.source = source
    profile.column_map = {k: v for k, v in column_map.items() if k in IMPORT_FIELDS and v}
    profile.priority = priority
    profile.area_path = area.path
    profile.save()
    record_change(profile, verb="save_import_profile", actor=actor, before=before)
    return profile


@action
def start_import(profile: ImportProfile, *, grid: Any, file_name: str, actor: Any, dry_run: bool) -> ImportBatch:
    _require_grid(grid)
    batch = ImportBatch.objects.create(
        profile=profile,
        source=profile.source,
        priority=profile.priority,
        file_name=file_name[:200],
        grid=grid,
        area_path=grid.path,
        status=ImportStatus.DRY_RUN if dry_run else ImportStatus.RUNNING,
        dry_run=dry_run,
        started_at=timezone.now(),
        attempts=1,
        created_by=actor,
    )
    record_change(batch, verb="start_import", actor=actor)
    return batch


def _enqueue_import(batch_id: int) -> None:
    from gongzhi.residents.tasks import enqueue_import  # tasks import this module

    enqueue_import(batch_id)


def _delete_upload_after_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: uploads.delete_upload(name))


@action
def queue_import(
    profile: ImportProfile,
    *,
    grid: Any,
    file_name: str,
    stored: uploads.StoredUpload,
    actor: Any,
    dry_run: bool,
) -> ImportBatch:
    """An import set for a file already in private storage (``stored``), to be run in the
    background: status ``queued``; the task is scheduled after commit."""
    _require_grid(grid)
    batch = ImportBatch.objects.create(
        profile=profile,
        source=profile.source,
        priority=profile.priority,
        file_name=file_name[:200],
        grid=grid,
        area_path=grid.path,
        status=ImportStatus.QUEUED,
        dry_run=dry_run,
        upload=stored.name,
        upload_sha256=stored.sha256,
        upload_size=stored.size,
        progress_total=stored.size,
        created_by=actor,
    )
    record_change(batch, verb="queue_import", actor=actor)
    batch_id = batch.pk
    transaction.on_commit(lambda: _enqueue_import(batch_id))
    return batch


def _is_stale(batch: ImportBatch, now: datetime.datetime) -> bool:
    from django.conf import settings

    return (now - batch.updated_at).total_seconds() > settings.GONGZHI_IMPORT_STALE_SECONDS


@action
def begin_import(batch: ImportBatch, *, actor: Any) -> ImportBatch:
    """A worker claims a queued import set (row lock, then a status change): a duplicated or
    redelivered task finds it claimed and raises ``import_not_queued``. A background set that
    is still ``running`` but has not moved for ``GONGZHI_IMPORT_STALE_SECONDS`` (its worker
    died) may be claimed again; it resumes after its last committed chunk."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    now = timezone.now()
    takeover = (
        batch.status in (ImportStatus.RUNNING, ImportStatus.DRY_RUN)
        and batch.finished_at is None
        and bool(batch.upload)
        and _is_stale(batch, now)
    )
    if batch.status != ImportStatus.QUEUED and not takeover:
        raise ResidentError(ResidentErrorCode.IMPORT_NOT_QUEUED)
    before = snapshot(batch)
    batch.status = ImportStatus.DRY_RUN if batch.dry_run else ImportStatus.RUNNING
    batch.started_at = batch.started_at or now
    batch.attempts += 1
    batch.failure = ""
    batch.save(update_fields=["status", "started_at", "attempts", "failure", "updated_at"])
    record_change(batch, verb="begin_import", actor=actor, before=before)
    return batch


@action
def fail_import(batch: ImportBatch, *, actor: Any, reason: str) -> ImportBatch:
    """A background run stopped with an error: status ``failed`` with a readable reason. What
    earlier chunks committed stays; the set can be resumed (the upload is kept) or rolled back."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in IMPORT_ACTIVE_STATUSES:
        raise ResidentError(ResidentErrorCode.IMPORT_NOT_RUNNING)
    before = snapshot(batch)
    batch.status = ImportStatus.FAILED
    batch.failure = reason.strip()[:300] or "error"
    batch.save(update_fields=["status", "failure", "updated_at"])
    record_change(batch, verb="fail_import", actor=actor, before=before)
    return batch


@action
def cancel_import(batch: ImportBatch, *, actor: Any) -> ImportBatch:
    """Stop a queued or running import set. A running import notices between two chunks (this
    waits for the row lock, so the chunk being written commits first); committed chunks stay
    until a rollback. The stored upload is deleted."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if not batch.is_active:
        raise ResidentError(ResidentErrorCode.IMPORT_NOT_RUNNING)
    before = snapshot(batch)
    _delete_upload_after_commit(batch.upload)
    batch.status = ImportStatus.CANCELLED
    batch.finished_at = timezone.now()
    batch.upload = ""
    batch.save(update_fields=["status", "finished_at", "upload", "updated_at"])
    record_change(batch, verb="cancel_import", actor=actor, before=before)
    return batch


@action
def resume_import(batch: ImportBatch, *, actor: Any) -> ImportBatch:
    """Queue a failed import set again; the task continues after its last committed row."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportStatus.FAILED:
        raise ResidentError(ResidentErrorCode.IMPORT_NOT_RESUMABLE)
    if not uploads.upload_exists(batch.upload):
        raise ResidentError(ResidentErrorCode.IMPORT_UPLOAD_GONE)
    before = snapshot(batch)
    batch.status = ImportStatus.QUEUED
    batch.save(update_fields=["status", "updated_at"])
    record_change(batch, verb="resume_import", actor=actor, before=before)
    batch_id = batch.pk
    transaction.on_commit(lambda: _enqueue_import(batch_id))
    return batch


def _lineage_priorities(residents: list[Resident]) -> dict[tuple[int, str], int]:
    """Latest lineage priority per (person, field)."""
    out: dict[tuple[int, str], int] = {}
    for resident_id, fields, priority in (
        ValueLineage.objects.filter(resident__in=residents)
        .order_by("resident_id", "recorded_at", "id")
        .values_list("resident_id", "fields", "priority")
    ):
        for field in fields:
            out[(resident_id, field)] = priority
    return out


def _merge_values(
    resident: Resident, values: dict[str, Any], priority: int, lineage: dict[tuple[int, str], int], *, force: bool
) -> dict[str, Any]:
    """Apply ``values`` where the source may; return ``{field: previous value}`` of what changed."""
    previous: dict[str, Any] = {}
    for field in _PERSON_FIELDS:
        if field not in values:
            continue
        new, old = values[field], getattr(resident, field)
        if new == old:
            continue
        held = lineage.get((resident.pk, field), MANUAL_PRIORITY)
        if old in ("", None) or force or priority >= held:
            previous[field] = old.isoformat() if isinstance(old, datetime.date) else old
            setattr(resident, field, new)
    if "id_number" in previous:
        resident.id_number_index = (
            crypto.blind_index(resident.id_number, kind="id_number") if resident.id_number else ""
        )
    if "phone" in previous:
        resident.phone_index = crypto.blind_index(resident.phone, kind="phone") if resident.phone else ""
    return previous


class _ChunkWriter:
    """Collects one chunk's writes so each table gets one bulk statement (``COPY`` on
    PostgreSQL, see :mod:`gongzhi.residents.bulk`)."""

    def __init__(self, batch: ImportBatch, staged: dict[int, tuple[Any, ...]] | None = None) -> None:
        self.batch = batch
        self.staged = staged  # PostgreSQL: the prepared staging tuples by row number
        self.new_people: list[tuple[parsing.CleanRow, dict[str, Any]]] = []
        self.changes: list[ImportChange] = []
        self.lineage: list[ValueLineage] = []

    def note_lineage(self, resident: Resident, fields: Any) -> None:
        self.lineage.append(
            ValueLineage(
                resident=resident, fields=sorted(fields), batch=self.batch, source=self.batch.source,
                priority=self.batch.priority,
            )
        )  # fmt: skip

    def households_for(self, wanted: dict[str, str]) -> dict[str, int]:
        """``{address: household id}`` in the batch's grid: one query for those that exist,
        one bulk insert for the rest."""
        grid = self.batch.grid
        found = dict(
            Household.objects.filter(grid=grid, address__in=list(wanted)).order_by("-id").values_list("address", "id")
        )
        new = [(address, number) for address, number in wanted.items() if address not in found]
        rows = [
            {"grid_id": grid.pk, "area_path": grid.path, "address": address, "number": number,
             "import_batch_id": self.batch.pk}
            for address, number in new
        ]  # fmt: skip
        ids = bulk.insert_rows(
            Household, rows, ids=bulk.reserve_ids(Household, len(rows)) if bulk.uses_copy() else None
        )
        found.update({address: pk for (address, _), pk in zip(new, ids, strict=True)})
        return found

    def flush(self) -> None:
        ImportChange.objects.bulk_create(self.changes, batch_size=1000)
        ValueLineage.objects.bulk_create(self.lineage, batch_size=1000)
        if not self.new_people:
            return
        if self.staged is not None:
            missing = [(row.number, values) for row, values in self.new_people if row.number not in self.staged]
            if missing:  # prepared without staging tuples (e.g. by a caller that did not ask for them)
                made = staging.stage_rows(missing, ring=crypto.keyring())
                self.staged.update({number: t for (number, _), t in zip(missing, made, strict=True)})
            staging.write_new_people(self.batch, [self.staged[row.number] for row, _ in self.new_people])
            return
        self._write_new_people()

    def _write_new_people(self) -> None:
        """The portable path (SQLite): bulk inserts, one ``ImportChange`` per new person."""
        batch, grid = self.batch, self.batch.grid
        people = [
            {
                "name": v["name"], "gender": v.get("gender", Gender.UNKNOWN), "date_of_birth": v.get("date_of_birth"),
                "id_number": v.get("id_number", ""), "id_number_index": v.get("_index", ""),
                "phone": v.get("phone", ""), "phone_index": v.get("_phone_index", ""),
                "ethnicity": v.get("ethnicity", ""), "occupation": v.get("occupation", ""),
                "employer": v.get("employer", ""), "grid_id": grid.pk, "area_path": grid.path,
            }
            for _, v in self.new_people
        ]  # fmt: skip
        ids = bulk.insert_rows(
            Resident, people, ids=bulk.reserve_ids(Resident, len(people)) if bulk.uses_copy() else None
        )
        wanted: dict[str, str] = {}
        for row, _ in self.new_people:
            if row.values.get("address"):
                wanted.setdefault(row.values["address"], row.values.get("household_number", ""))
        households = self.households_for(wanted) if wanted else {}
        today = timezone.localdate()
        memberships, changes, lineage = [], [], []
        lineage_json: dict[tuple[str, ...], list[str]] = {}
        for (row, _), pk in zip(self.new_people, ids, strict=True):
            values = row.values
            if values.get("address"):
                memberships.append(
                    {"household_id": households[values["address"]], "resident_id": pk, "area_path": grid.path,
                     "relation": values.get("relation", Relation.HEAD),
                     "residence_type": values.get("residence_type", ResidenceType.RESIDENT), "moved_in_on": today}
                )  # fmt: skip
            changes.append({"batch_id": batch.pk, "resident_id": pk, "created": True, "previous": ""})
            key = tuple(f for f in _PERSON_FIELDS if f in values)
            fields = lineage_json.setdefault(key, sorted(key))
            lineage.append(
                {"resident_id": pk, "fields": fields, "batch_id": batch.pk, "source": batch.source,
                 "priority": batch.priority}
            )  # fmt: skip
        bulk.insert_rows(HouseholdMembership, memberships)
        bulk.insert_rows(ImportChange, changes)
        bulk.insert_rows(ValueLineage, lineage)


@action
def import_chunk(
    batch: ImportBatch,
    rows: list[tuple[int, dict[str, str]]],
    *,
    actor: Any,
    seen: set[bytes] | None = None,
    prepared: staging.PreparedChunk | None = None,
    position: tuple[int, int] | None = None,
) -> dict[str, int]:
    """Validate, match and (unless a dry run) write one chunk of rows; one change record.

    Exact match: the ID number's blind index → update the person (a source only overwrites
    values from sources of no higher priority, and staff-entered values only if its
    priority is above MANUAL_PRIORITY). Fuzzy match: same name and date of birth and a
    similar household address → a review item. Otherwise a new person (and household).
    ``batch.rows_done`` counts the data rows read; rows numbered at or before
    :func:`parsing.last_done_row` of it were done already (resume) and are skipped.
    ``prepared`` is the chunk already validated and encrypted by
    :func:`staging.prepare_chunk` after that row (a pipelined import does
    that in a worker process); without it the action prepares ``rows`` itself.
    ``position`` (done, total: bytes of a CSV, rows of an XLSX) is saved for the progress bar.
    """
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    dry = batch.status == ImportStatus.DRY_RUN
    if batch.status not in (ImportStatus.RUNNING, ImportStatus.DRY_RUN):
        raise ResidentError(ResidentErrorCode.IMPORT_NOT_RUNNING)
    seen = seen if seen is not None else set()
    ring = crypto.keyring()
    today = timezone.localdate()
    after_row = parsing.last_done_row(batch.rows_done)
    if prepared is None:
        prepared = staging.prepare_chunk(rows, after_row=after_row, today=today, stage=bulk.uses_copy() and not dry)
    # Rows at or before after_row are stale only if the chunk was prepared before another
    # run of this import set moved on; they were done there.
    problems = [(n, p) for n, p in prepared.problems if n > after_row]
    fresh = [row for row in prepared.clean if row.number > after_row]
    stale = len(prepared.problems) - len(problems) + len(prepared.clean) - len(fresh)
    counts = {"rows": prepared.rows - stale, "created": 0, "updated": 0, "review": 0, "errors": len(problems)}
    errors = [
        ImportRowError(batch=batch, row_number=number, column=c, reason=r[:300])
        for number, reasons in problems
        for c, r in reasons
    ]
    seen.update(prepared.earlier)
    clean: list[parsing.CleanRow] = []
    for row in fresh:
        key = row.values.get("_index")
        if key:
            digest = staging.seen_digest(key)
            if digest in seen:
                errors.append(
                    ImportRowError(
                        batch=batch, row_number=row.number, column="id_number",
                        reason="the same ID number appears earlier in the file",
                    )
                )  # fmt: skip
                counts["errors"] += 1
                continue
            seen.add(digest)
        clean.append(row)
    # Exact matches: one query per chunk. During a blind-index key rotation a person may
    # still be indexed under an old key, so every configured key's index is asked for.
    wanted = {c.values["_index"]: c for c in clean if "_index" in c.values}
    if len(ring.all_index_keys()) > 1:
        alias = {
            other: c.values["_index"]
            for c in wanted.values()
            for other in crypto.blind_indexes(c.values["id_number"], kind="id_number", ring=ring)[1:]
        }
    else:
        alias = {}
    by_index: dict[str, Resident] = {}
    if wanted:
        if bulk.uses_copy():
            # One array parameter instead of thousands of literals (see staging.ids_with_index).
            matching = Resident.objects.filter(pk__in=staging.ids_with_index([*wanted, *alias]))
        else:
            matching = Resident.objects.filter(id_number_index__in=[*wanted, *alias])
        for person in matching:
            by_index[alias.get(person.id_number_index, person.id_number_index)] = person
    unmatched = [c for c in clean if c.values.get("_index") not in by_index]
    candidates: dict[tuple[str, Any], list[Resident]] = {}
    with_birthday = [c for c in unmatched if c.values.get("date_of_birth")]
    if with_birthday:
        # Fuzzy candidates share name and date of birth (index residents_resident_dob_name).
        # A row with an ID number only matches people without one (else the index said no).
        only_without_id = all(c.values.get("id_number") for c in with_birthday)
        if bulk.uses_copy():
            pairs = {(c.values["name"], c.values["date_of_birth"]) for c in with_birthday}
            people = Resident.objects.filter(pk__in=staging.ids_named_born(pairs, only_without_id=only_without_id))
        else:
            people = Resident.objects.filter(
                name__in={c.values["name"] for c in with_birthday},
                date_of_birth__in={c.values["date_of_birth"] for c in with_birthday},
                anonymised_at__isnull=True,
            )
            if only_without_id:
                people = people.filter(id_number_index="")
        for person in people.prefetch_related(
            Prefetch(
                "memberships",
                queryset=HouseholdMembership.objects.filter(moved_out_on__isnull=True).select_related("household"),
                to_attr="current_memberships",
            )
        ):
            candidates.setdefault((person.name, person.date_of_birth), []).append(person)
    lineage = _lineage_priorities(list(by_index.values()))
    writer = _ChunkWriter(batch, prepared.staged if bulk.uses_copy() else None)
    reviews: list[ImportReview] = []
    to_update: list[Resident] = []
    update_fields: set[str] = set()
    for row in clean:
        values = row.values
        existing = by_index.get(values.get("_index", ""))
        if existing is not None:
            previous = _merge_values(existing, values, batch.priority, lineage, force=False)
            if previous:
                counts["updated"] += 1
                to_update.append(existing)
                update_fields |= set(previous)
                writer.changes.append(ImportChange(batch=batch, resident=existing, previous=json.dumps(previous)))
                writer.note_lineage(existing, previous)
            continue
        match, score = _fuzzy_match(values, candidates)
        if match is not None:
            counts["review"] += 1
            incoming = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in values.items()}
            incoming.pop("_index", None)
            reviews.append(
                ImportReview(
                    batch=batch,
                    row_number=row.number,
                    candidate=match,
                    incoming=json.dumps(incoming, ensure_ascii=False),
                    score=round(score, 3),
                    area_path=match.area_path,
                )
            )
            continue
        counts["created"] += 1
        writer.new_people.append((row, values))
    if not dry:
        if to_update:
            fields = sorted(update_fields | {f"{f}_index" for f in ("id_number", "phone") if f in update_fields})
            Resident.objects.bulk_update(to_update, fields, batch_size=1000)
        writer.flush()
        ImportReview.objects.bulk_create(reviews, batch_size=1000)
    ImportRowError.objects.bulk_create(errors, batch_size=1000)
    batch.rows_done = max(batch.rows_done, parsing.data_rows_through(prepared.last))
    batch.rows_created += counts["created"]
    batch.rows_updated += counts["updated"]
    batch.rows_review += counts["review"]
    batch.rows_error += counts["errors"]
    progress = []
    if position is not None:
        batch.progress_done, batch.progress_total = position
        progress = ["progress_done", "progress_total"]
    batch.save(
        update_fields=[
            "rows_done",
            "rows_created",
            "rows_updated",
            "rows_review",
            "rows_error",
            *progress,
            "updated_at",
        ]
    )
    record_change(batch, verb="import_chunk", actor=actor, after=counts)
    return counts


def _fuzzy_match(values: dict[str, Any], candidates: dict[tuple[str, Any], list[Resident]]) -> tuple[Any, float]:
    """The best same-name, same-birthday person whose address is similar enough, unless
    both have ID numbers (then the blind index already said they differ)."""
    best, best_score = None, 0.0
    people = candidates.get((values["name"], values.get("date_of_birth")))
    if not people:  # the usual case of a new person: no address to normalise
        return best, best_score
    address = parsing.normalise_address(values.get("address", ""))
    for person in people:
        if values.get("id_number") and person.id_number:
            continue
        current = getattr(person, "current_memberships", [])  # prefetched (to_attr) by import_chunk
        theirs = [parsing.normalise_address(m.household.address) for m in current]
        score = (
            max((difflib.SequenceMatcher(None, address, t).ratio() for t in theirs), default=0.0) if address else 0.0
        )
        if score >= FUZZY_ADDRESS_THRESHOLD and score > best_score:
            best, best_score = person, score
    return best, best_score


@action
def finish_import(batch: ImportBatch, *, actor: Any) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (ImportStatus.RUNNING, ImportStatus.DRY_RUN):
        raise ResidentError(ResidentErrorCode.IMPORT_NOT_RUNNING)
    before = snapshot(batch)
    if batch.status == ImportStatus.RUNNING:
        batch.status = ImportStatus.COMMITTED
    batch.finished_at = timezone.now()
    if batch.progress_total:
        batch.progress_done = batch.progress_total
    _delete_upload_after_commit(batch.upload)  # the upload held personal data: done with it
    batch.upload = ""
    batch.save(update_fields=["status", "finished_at", "progress_done", "upload", "updated_at"])
    record_change(batch, verb="finish_import", actor=actor, before=before)
    return batch


@action
def rollback_import(batch: ImportBatch, *, actor: Any) -> ImportBatch:
    """Undo a whole import set: people it registered are removed, values it overwrote are
    restored, its lineage, memberships, households and review items go."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in ROLLBACKABLE_STATUSES or batch.dry_run:
        raise ResidentError(ResidentErrorCode.IMPORT_NOT_ROLLBACKABLE)
    before = snapshot(batch)
    changes = list(ImportChange.objects.filter(batch=batch).select_related("resident").order_by("-id"))
    created = Q(pk__in=[c.resident_id for c in changes if c.created])
    for first, last in ImportCreatedRange.objects.filter(batch=batch).values_list("first_id", "last_id"):
        created |= Q(pk__range=(first, last))
    restored = 0
    for change in changes:
        if change.created:
            continue
        person = change.resident
        fields = []
        for field, value in json.loads(change.previous or "{}").items():
            if field == "date_of_birth" and value:
                value = datetime.date.fromisoformat(value)
            setattr(person, field, value)
            fields.append(field)
        fields += [f"{f}_index" for f in ("id_number", "phone") if f in fields]
        person.save(update_fields=[*fields, "updated_at"])
        restored += 1
    ValueLineage.objects.filter(batch=batch).delete()
    ImportReview.objects.filter(batch=batch).delete()
    created_people = Resident.objects.filter(created)
    HouseholdMembership.objects.filter(resident__in=created_people.values("pk")).delete()
    ImportChange.objects.filter(batch=batch).delete()
    ImportCreatedRange.objects.filter(batch=batch).delete()
    removed = created_people.delete()[1].get(Resident._meta.label, 0)
    households = (
        Household.objects.filter(import_batch=batch, memberships__isnull=True).delete()[1].get(Household._meta.label, 0)
    )
    batch.status = ImportStatus.ROLLED_BACK
    _delete_upload_after_commit(batch.upload)
    batch.upload = ""
    batch.save(update_fields=["status", "upload", "updated_at"])
    after = {**(snapshot(batch) or {}), "removed": removed, "restored": restored, "households_removed": households}
    record_change(batch, verb="rollback_import", actor=actor, before=before, after=after)
    return batch


@action
def resolve_review(review: ImportReview, *, actor: Any, decision: str) -> ImportReview:
    """Decide an uncertain match: merge the row into the candidate, register a new person, or dismiss."""
    review = ImportReview.objects.select_for_update().select_related("batch", "candidate").get(pk=review.pk)
    if review.status != ReviewStatus.PENDING:
        raise ResidentError(ResidentErrorCode.REVIEW_ALREADY_DECIDED)
    before = snapshot(review)
    values = json.loads(review.incoming)
    if values.get("date_of_birth"):
        values["date_of_birth"] = datetime.date.fromisoformat(values["date_of_birth"])
    batch = review.batch
    if decision == ReviewStatus.MERGED:
        person = review.candidate
        previous = _merge_values(person, values, batch.priority, {}, force=True)
        if previous:
            person.save(update_fields=[*previous, *[f"{f}_index" for f in ("id_number", "phone") if f in previous]])
            ImportChange.objects.create(batch=batch, resident=person, previous=json.dumps(previous))
            ValueLineage.objects.create(
                resident=person, fields=sorted(previous), batch=batch, source=batch.source, priority=batch.priority
            )
    elif decision == ReviewStatus.CREATED:
        _check_unique_id_number(values.get("id_number", ""))
        person = Resident.objects.create(
            grid=batch.grid, area_path=batch.grid.path, **{f: values[f] for f in _PERSON_FIELDS if f in values}
        )
        ImportChange.objects.create(batch=batch, resident=person, created=True, previous="{}")
    review.status = decision
    review.decided_by = actor
    review.save(update_fields=["status", "decided_by", "updated_at"])
    record_change(review, verb="resolve_review", actor=actor, before=before)
    return review
