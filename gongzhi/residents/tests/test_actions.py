"""Residents actions: registration, memberships, tags, consent-gated health data, visits."""

from __future__ import annotations

import datetime
import json

import pytest

from gongzhi.audit.models import ChangeRecord
from gongzhi.privacy import actions as privacy_actions
from gongzhi.privacy.choices import ConsentGiver, ConsentPurpose
from gongzhi.privacy.errors import PrivacyError, PrivacyErrorCode
from gongzhi.residents import actions
from gongzhi.residents.choices import Gender, Relation, ResidenceType, TagKind, VisitKind
from gongzhi.residents.errors import ResidentError, ResidentErrorCode
from gongzhi.residents.models import HealthFile, Resident


def test_register_resident_derives_birth_date_and_gender_from_the_id_number(world):
    resident = actions.register_resident(
        grid=world.g1, actor=world.grid_worker_g1, name="孙丽", id_number="11010519491231002X", phone="13800001111"
    )

    assert resident.date_of_birth == datetime.date(1949, 12, 31)
    assert resident.gender == Gender.FEMALE  # sequence digit 2 is even
    assert resident.area_path == world.g1.path


def test_a_second_registration_with_the_same_id_number_is_refused(world):
    actions.register_resident(grid=world.g1, actor=world.grid_worker_g1, name="孙丽", id_number="11010519491231002X")

    with pytest.raises(ResidentError) as excinfo:
        actions.register_resident(
            grid=world.g3, actor=world.community_worker_c1, name="孙丽", id_number="11010519491231002x"
        )
    assert excinfo.value.code == ResidentErrorCode.DUPLICATE_ID_NUMBER


def test_register_into_a_household_creates_membership_in_one_change_record(world, people):
    before = ChangeRecord.objects.count()

    resident = actions.register_resident(
        grid=world.g1, actor=world.grid_worker_g1, name="张小明", household=people.household_g1, relation=Relation.CHILD
    )

    assert ChangeRecord.objects.count() == before + 1
    assert resident.memberships.get().household == people.household_g1


def test_audit_records_never_hold_personal_values(world):
    resident = actions.register_resident(
        grid=world.g1, actor=world.grid_worker_g1, name="孙丽", id_number="11010519491231002X", phone="13800001111"
    )
    actions.update_resident(resident, actor=world.grid_worker_g1, phone="13911112222", occupation="教师")

    dumped = json.dumps([[r.before, r.after, r.target_repr] for r in ChangeRecord.objects.all()], ensure_ascii=False)
    for secret in ("11010519491231002X", "13800001111", "13911112222", "孙丽", "1949-12-31"):
        assert secret not in dumped
    assert "教师" in dumped


def test_every_encrypted_or_index_field_is_redacted_from_audit():
    from gongzhi.privacy.fields import blind_index_fields, encrypted_fields
    from gongzhi.privacy.queries import encrypted_models

    for model in encrypted_models():
        hidden = getattr(model, "audit_redacted_fields", frozenset())
        for field in encrypted_fields(model) + blind_index_fields(model):
            assert field.name in hidden, f"{model.__name__}.{field.name} would leak into audit diffs"


def test_update_keeps_the_blind_index_in_step(world, people):
    actions.update_resident(people.head, actor=world.grid_worker_g1, phone="13700007777")

    from gongzhi.residents.queries import find_by_phone

    assert list(find_by_phone(Resident.objects.all(), "137 0000 7777")) == [people.head]
    assert not find_by_phone(Resident.objects.all(), "13912345678").exists()


def test_move_in_moves_the_person_to_the_household_grid_and_move_out_keeps_history(world, people):
    membership = actions.move_in(
        people.household_g3, people.spouse, actor=world.community_worker_c1, relation=Relation.PARENT
    )
    people.spouse.refresh_from_db()
    assert people.spouse.area_path == world.g3.path

    with pytest.raises(ResidentError) as excinfo:
        actions.move_in(people.household_g3, people.spouse, actor=world.community_worker_c1)
    assert excinfo.value.code == ResidentErrorCode.ALREADY_MEMBER

    with pytest.raises(ResidentError) as excinfo:
        actions.move_out(membership, actor=world.community_worker_c1, moved_out_on=datetime.date(2000, 1, 1))
    assert excinfo.value.code == ResidentErrorCode.MOVE_OUT_BEFORE_MOVE_IN

    actions.move_out(membership, actor=world.community_worker_c1, reason="搬迁")
    assert people.spouse.memberships.count() == 2


def test_a_vacant_registration_does_not_move_the_person(world, people):
    actions.move_in(
        people.household_g3, people.head, actor=world.street_official_s1, residence_type=ResidenceType.VACANT
    )

    people.head.refresh_from_db()
    assert people.head.area_path == world.g1.path


def test_tags_record_who_and_when_and_cannot_be_set_twice(world, people):
    tag = actions.set_tag(people.head, kind=TagKind.ELDERLY_ALONE, actor=world.grid_worker_g1)

    assert tag.set_by == world.grid_worker_g1
    assert tag.created_at is not None
    with pytest.raises(ResidentError) as excinfo:
        actions.set_tag(people.head, kind=TagKind.ELDERLY_ALONE, actor=world.grid_worker_g1)
    assert excinfo.value.code == ResidentErrorCode.TAG_ALREADY_SET
    actions.remove_tag(tag, actor=world.grid_worker_g1)
    actions.set_tag(people.head, kind=TagKind.ELDERLY_ALONE, actor=world.grid_worker_g1)


def test_disability_tag_needs_grade_and_health_consent(world, people):
    with pytest.raises(ResidentError) as excinfo:
        actions.set_tag(people.head, kind=TagKind.DISABLED, actor=world.grid_worker_g1)
    assert excinfo.value.code == ResidentErrorCode.GRADE_REQUIRED

    with pytest.raises(ResidentError) as excinfo:
        actions.set_tag(people.head, kind=TagKind.DISABLED, grade=2, actor=world.grid_worker_g1)
    assert excinfo.value.code == ResidentErrorCode.CONSENT_REQUIRED

    privacy_actions.give_consent(people.head, purpose=ConsentPurpose.HEALTH, actor=world.grid_worker_g1)
    assert actions.set_tag(people.head, kind=TagKind.DISABLED, grade=2, actor=world.grid_worker_g1).grade == 2


def test_health_file_without_consent_is_rejected(world, people):
    with pytest.raises(ResidentError) as excinfo:
        actions.save_health_file(people.head, actor=world.grid_worker_g1, chronic_conditions="高血压")

    assert excinfo.value.code == ResidentErrorCode.CONSENT_REQUIRED
    assert not HealthFile.objects.exists()


def test_health_file_with_consent_is_encrypted_and_linked_to_it(world, people):
    consent = privacy_actions.give_consent(people.head, purpose=ConsentPurpose.HEALTH, actor=world.grid_worker_g1)

    health = actions.save_health_file(
        people.head, actor=world.grid_worker_g1, chronic_conditions="高血压", care_needs="助餐"
    )

    assert health.consent == consent
    from gongzhi.privacy.fields import raw

    stored = HealthFile.objects.values_list(raw("chronic_conditions"), flat=True).get()
    assert "高血压" not in stored
    assert HealthFile.objects.get().chronic_conditions == "高血压"


def test_a_child_under_14_needs_a_guardian_consent(world, people):
    with pytest.raises(PrivacyError) as excinfo:
        privacy_actions.give_consent(people.child, purpose=ConsentPurpose.HEALTH, actor=world.grid_worker_g1)
    assert excinfo.value.code == PrivacyErrorCode.GUARDIAN_REQUIRED

    with pytest.raises(PrivacyError) as excinfo:
        privacy_actions.give_consent(
            people.child, purpose=ConsentPurpose.HEALTH, actor=world.grid_worker_g1, given_by=ConsentGiver.GUARDIAN
        )
    assert excinfo.value.code == PrivacyErrorCode.GUARDIAN_REQUIRED

    privacy_actions.give_consent(
        people.child,
        purpose=ConsentPurpose.HEALTH,
        actor=world.grid_worker_g1,
        given_by=ConsentGiver.GUARDIAN,
        guardian_name="张三",
        guardian_relation="祖父",
    )
    assert actions.save_health_file(people.child, actor=world.grid_worker_g1, care_needs="课后看护").pk


def test_a_self_consent_on_record_does_not_cover_a_child(world, people):
    # e.g. consent recorded before the rule, or a wrong date of birth corrected later
    from django.utils import timezone

    from gongzhi.privacy.models import Consent
    from gongzhi.privacy.queries import subject_filter

    Consent.objects.create(
        **subject_filter(people.child), purpose=ConsentPurpose.HEALTH, notice=people.notice, granted_at=timezone.now()
    )

    with pytest.raises(ResidentError) as excinfo:
        actions.save_health_file(people.child, actor=world.grid_worker_g1, care_needs="x")
    assert excinfo.value.code == ResidentErrorCode.GUARDIAN_CONSENT_REQUIRED


def test_withdrawal_stops_health_processing_in_one_step(world, people):
    consent = privacy_actions.give_consent(people.head, purpose=ConsentPurpose.HEALTH, actor=world.grid_worker_g1)
    actions.save_health_file(people.head, actor=world.grid_worker_g1, chronic_conditions="糖尿病")

    privacy_actions.withdraw_consent(consent, actor=world.grid_worker_g1)

    with pytest.raises(ResidentError) as excinfo:
        actions.save_health_file(people.head, actor=world.grid_worker_g1, chronic_conditions="糖尿病")
    assert excinfo.value.code == ResidentErrorCode.CONSENT_REQUIRED
    from gongzhi.residents.permissions import ResidentPolicy

    assert ResidentPolicy.can_view_health(world.grid_worker_g1, people.head) is False
    with pytest.raises(PrivacyError) as excinfo:
        privacy_actions.withdraw_consent(consent, actor=world.grid_worker_g1)
    assert excinfo.value.code == PrivacyErrorCode.CONSENT_ALREADY_WITHDRAWN


def test_visits_and_follow_ups(world, people):
    visit = actions.record_visit(
        people.household_g1,
        actor=world.grid_worker_g1,
        visited_on=datetime.date(2026, 3, 1),
        kind=VisitKind.CARE,
        notes="独居, 行动不便",
        resident=people.head,
        follow_up="联系助餐",
        follow_up_due=datetime.date(2026, 3, 8),
    )
    actions.complete_follow_up(visit, actor=world.grid_worker_g1)

    with pytest.raises(ResidentError) as excinfo:
        actions.complete_follow_up(visit, actor=world.grid_worker_g1)
    assert excinfo.value.code == ResidentErrorCode.FOLLOW_UP_ALREADY_DONE
    with pytest.raises(ResidentError) as excinfo:
        actions.record_visit(
            people.household_g1, actor=world.grid_worker_g1, visited_on=datetime.date(2026, 3, 1), kind=VisitKind.CARE,
            resident=people.resident_g3,
        )  # fmt: skip
    assert excinfo.value.code == ResidentErrorCode.NOT_IN_HOUSEHOLD


def test_household_needs_a_room_or_an_address_in_a_grid(world):
    with pytest.raises(ResidentError) as excinfo:
        actions.register_household(grid=world.g1, actor=world.grid_worker_g1)
    assert excinfo.value.code == ResidentErrorCode.HOUSEHOLD_PLACE_REQUIRED

    with pytest.raises(ResidentError) as excinfo:
        actions.register_household(grid=world.c1, actor=world.grid_worker_g1, address="x")
    assert excinfo.value.code == ResidentErrorCode.AREA_NOT_A_GRID

    with pytest.raises(ResidentError) as excinfo:
        actions.register_household(grid=world.g2, actor=world.grid_worker_g1, room=world.room_g1)
    assert excinfo.value.code == ResidentErrorCode.HOUSEHOLD_PLACE_REQUIRED

    household = actions.register_household(grid=world.g1, actor=world.grid_worker_g1, room=world.room_g1)
    assert "502" in household.address
