"""Demo polls and surveys: a closed survey with results, an open one and a draft, in the first
community of the demo district. Rows are written directly (like the rest of the demo seed,
which is one transaction with one change record)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from gongzhi.participation.surveys.choices import AgeGroup, QuestionKind, ResponseUnit, SurveyStatus
from gongzhi.participation.surveys.models import Answer, Question, Response, Survey
from gongzhi.participation.surveys.respondents import response_token
from gongzhi.territory.models import Area

AGE_GROUPS = [AgeGroup.YOUNG, AgeGroup.MIDDLE, AgeGroup.MIDDLE, AgeGroup.SENIOR, AgeGroup.SENIOR, AgeGroup.ELDER]


def _survey(community: Area, title: str, description: str, status: str, **extra: Any) -> Survey:
    now = timezone.now()
    return Survey.objects.create(
        title=title,
        description=description,
        area=community,
        area_path=community.path,
        status=status,
        opened_at=now - dt.timedelta(days=20) if status != SurveyStatus.DRAFT else None,
        closed_at=now - dt.timedelta(days=2) if status == SurveyStatus.CLOSED else None,
        **extra,
    )


def _questions(survey: Survey, specs: list[dict[str, Any]]) -> list[Question]:
    out: list[Question] = []
    for i, spec in enumerate(specs, start=1):
        show_if = out[spec.pop("show_if")] if "show_if" in spec else None
        out.append(Question.objects.create(survey=survey, position=i, show_if=show_if, **spec))
    return out


def _respond(seeder: Any, survey: Survey, grids: list[Area], n: int, answer: Any) -> int:
    rng = seeder.rng
    responses, answers = [], []
    today = timezone.localdate()
    for i in range(n):
        grid = rng.choice(grids)
        response = Response(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            survey=survey,
            token=response_token(survey, "demo", i),
            submitted_on=today - dt.timedelta(days=rng.randint(2, 19)),
            grid=grid,
            area_path=grid.path,
            age_group=rng.choice(AGE_GROUPS),
            gender=rng.choice(["male", "female"]),
        )
        responses.append(response)
        for question, cells in answer(rng):
            for j, cell in enumerate(cells):
                answers.append(
                    Answer(
                        response=response,
                        question=question,
                        survey=survey,
                        grid=grid,
                        age_group=response.age_group,
                        gender=response.gender,
                        lead=j == 0,
                        **cell,
                    )
                )
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    Survey.objects.filter(pk=survey.pk).update(response_count=n)
    return n


def seed(seeder: Any) -> None:
    community = seeder.communities[0].area
    grids = list(Area.objects.filter(parent=community).order_by("path"))
    if not grids:
        return
    lift = _survey(
        community,
        "加装电梯意向调查",
        "为推进老旧小区加装电梯，社区居委会就居民意愿、费用分摊和施工顾虑开展调查，结果将在议事会上讨论。",
        SurveyStatus.CLOSED,
        unit=ResponseUnit.HOUSEHOLD,
    )
    q1, q2, q3, q4 = _questions(
        lift,
        [
            {
                "kind": QuestionKind.SINGLE,
                "text": "您家是否支持本单元加装电梯？",
                "options": ["支持", "反对", "无所谓"],
            },
            {
                "kind": QuestionKind.MULTIPLE,
                "text": "您反对的主要原因是？",
                "options": ["费用分摊", "低层采光和噪音", "施工影响出行", "后期维护"],
                "show_if": 0,
                "show_if_options": [1],
            },
            {"kind": QuestionKind.SCALE, "text": "您对目前上下楼的便利程度打几分？", "scale_min": 1, "scale_max": 5},
            {"kind": QuestionKind.TEXT, "text": "其他意见和建议", "required": False},
        ],
    )

    def lift_answer(rng: Any) -> list[tuple[Question, list[dict[str, Any]]]]:
        choice = rng.choices([0, 1, 2], weights=[62, 23, 15])[0]
        out = [
            (q1, [{"option": choice}]),
            (q3, [{"value": rng.choices([1, 2, 3, 4, 5], weights=[25, 30, 25, 12, 8])[0]}]),
        ]
        if choice == 1:
            out.append((q2, [{"option": o} for o in sorted(rng.sample(range(4), rng.randint(1, 2)))]))
        if rng.random() < 0.2:
            out.append(
                (
                    q4,
                    [
                        {
                            "text": rng.choice(
                                ["希望公开费用明细", "一楼住户应当减免", "尽量缩短施工期", "建议申请政府补贴"]
                            )
                        }
                    ],
                )
            )
        return out

    seeder.counts["survey_responses"] += _respond(seeder, lift, grids, 60, lift_answer)

    sorting = _survey(
        community,
        "垃圾分类投放点调整征求意见",
        "拟调整部分楼栋的定时定点投放位置，请选择您认为合适的方案，并对关注的问题排序。",
        SurveyStatus.OPEN,
        closes_at=timezone.now() + dt.timedelta(days=10),
    )
    s1, s2 = _questions(
        sorting,
        [
            {
                "kind": QuestionKind.SINGLE,
                "text": "您更倾向哪个投放点方案？",
                "options": ["方案一：东门停车场旁", "方案二：3栋与5栋之间", "维持现状"],
            },
            {
                "kind": QuestionKind.RANKING,
                "text": "请按关注程度排序",
                "options": ["异味", "离家距离", "投放时间", "分类指导"],
            },
        ],
    )

    def sorting_answer(rng: Any) -> list[tuple[Question, list[dict[str, Any]]]]:
        order = rng.sample(range(4), 4)
        return [
            (s1, [{"option": rng.choice([0, 0, 1, 2])}]),
            (s2, [{"option": o, "rank": r} for r, o in enumerate(order, 1)]),
        ]

    seeder.counts["survey_responses"] += _respond(seeder, sorting, grids, 14, sorting_answer)

    draft = _survey(
        community, "社区长者食堂满意度调查", "了解长者食堂的菜品、价格和服务。", SurveyStatus.DRAFT, target_min_age=60
    )
    _questions(
        draft,
        [
            {
                "kind": QuestionKind.MATRIX,
                "text": "请评价以下方面",
                "rows": ["菜品口味", "价格", "卫生", "服务态度"],
                "options": ["满意", "一般", "不满意"],
            },
        ],
    )
    seeder.counts["surveys"] += 3
