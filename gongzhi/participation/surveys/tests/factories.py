"""Survey test helpers other domains may import: surveys with questions, residents in households."""

from __future__ import annotations

import datetime
from typing import Any

from gongzhi.access.choices import Role
from gongzhi.participation.surveys import actions
from gongzhi.participation.surveys.choices import QuestionKind
from gongzhi.participation.surveys.models import Survey
from gongzhi.residents.factories import HouseholdFactory, MembershipFactory, ResidentFactory
from gongzhi.testing.world import World, grant, make_user

HOSTILE = "<script>alert('x')</script>😀" + "长" * 50


def survey(world: World, *, open_: bool = True, area: Any = None, **kwargs: Any) -> Survey:
    """A survey of community C1 with a single choice (condition), a conditional multiple
    choice, a scale and a free text question."""
    s = actions.create_survey(
        actor=world.community_worker_c1, area=area or world.c1, title=kwargs.pop("title", "加装电梯意向调查"), **kwargs
    )
    q1 = actions.add_question(
        s,
        actor=world.community_worker_c1,
        kind=QuestionKind.SINGLE,
        text="是否支持加装电梯?",
        options=["支持", "反对", "无所谓"],
    )
    actions.add_question(
        s,
        actor=world.community_worker_c1,
        kind=QuestionKind.MULTIPLE,
        text="反对的原因",
        options=["费用", "噪音", "采光"],
        show_if=q1,
        show_if_options=[1],
    )
    actions.add_question(
        s, actor=world.community_worker_c1, kind=QuestionKind.SCALE, text="对小区环境的满意度", scale_min=1, scale_max=5
    )
    actions.add_question(s, actor=world.community_worker_c1, kind=QuestionKind.TEXT, text="其他建议", required=False)
    if open_:
        s = actions.open_survey(s, actor=world.community_worker_c1)
    return s


def answers(
    s: Survey, choice: int = 0, scale: int = 4, reasons: list[int] | None = None, text: str = ""
) -> dict[int, Any]:
    qs = list(s.questions.order_by("position"))
    out: dict[int, Any] = {qs[0].pk: choice, qs[2].pk: scale, qs[3].pk: text}
    if reasons is not None:
        out[qs[1].pk] = reasons
    return out


def resident(
    world: World,
    name: str,
    *,
    grid: Any = None,
    household: Any = None,
    born: datetime.date | None = None,
    gender: str = "female",
) -> Any:
    """A resident account with a register entry (verified) in a household of ``grid``."""
    grid = grid or world.g1
    user = make_user(name, kind="resident", home_area=grid)
    community = grid.parent
    grant(user, Role.RESIDENT, area=community)
    person = ResidentFactory(grid=grid, user=user, date_of_birth=born or datetime.date(1960, 3, 7), gender=gender)
    household = household or HouseholdFactory(grid=grid)
    MembershipFactory(household=household, resident=person)
    user.household = household
    return user
