"""Builders for text tests other domains may import: a registered model and analysed orders."""

from __future__ import annotations

from typing import Any

from gongzhi.organisations.choices import DutyRole
from gongzhi.organisations.models import DutyAssignment, MatterCategory
from gongzhi.testing.world import World
from gongzhi.text import actions
from gongzhi.text.engine.classifier import TextClassifier
from gongzhi.text.models import TextModel

#: Hostile texts every capability must survive.
HOSTILE_TEXTS = [
    "",
    "🚨🔥😡" * 30,
    "<script>alert('x')</script>",
    "长" * 100_000,
    "Mixed 中文 English русский ＡＢＣ１２３",
]

CATEGORY_BY_LABEL = {
    "城乡建设": "TX01",
    "环境保护": "TX02",
    "交通运输": "TX03",
    "教育文体": "TX04",
    "劳动和社会保障": "TX05",
    "商贸旅游": "TX06",
    "卫生计生": "TX07",
}


def categories() -> dict[str, MatterCategory]:
    return {
        label: MatterCategory.objects.get_or_create(code=code, defaults={"name": label, "level": 1})[0]
        for label, code in CATEGORY_BY_LABEL.items()
    }


def duty(world: World, label: str, org: str = "housing_bureau") -> DutyAssignment:
    category = categories()[label]
    return DutyAssignment.objects.create(
        organisation=world.orgs[org],
        category=category,
        area=world.district,
        area_path=world.district.path,
        duty_role=DutyRole.LEAD,
    )


def registered_model(classifier: TextClassifier, *, actor: Any = None) -> TextModel:
    categories()
    return actions.register_text_model(classifier, actor=actor, source="csv", metrics={"note": "test"})
