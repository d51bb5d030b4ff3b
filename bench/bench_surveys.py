"""Tallying a poll of 200,000 responses with its breakdowns on PostgreSQL (issue 6: < 1 s).

    uv run python bench/bench_surveys.py                    # 200,000 responses
    uv run python bench/bench_surveys.py --responses 500000 --runs 5
    PSURVEY_BENCH_DATABASE_URL=postgres://user@host/db      # default postgres://postgres@127.0.0.1:5432/bench_psurvey

The poll has a single-choice question, a conditional multiple-choice question (answered by
about a third), a 1-5 scale and a 3-row matrix: about 1.1 million answer rows. Responses
and answers are generated with INSERT … SELECT. What is timed is what the results page and
closing do: ``tally.results`` (totals) plus ``tally.breakdown`` for grid, age group and
gender (k-anonymity suppression included), and the ``close_survey`` action (ledger counts).
The database (named bench_psurvey*) is dropped and recreated at the start and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _url() -> str:
    return os.environ.get("PSURVEY_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_psurvey")


def _recreate(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench_psurvey"):
        raise SystemExit(f"refusing to drop {name!r}: this bench only uses databases named bench_psurvey*")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


RESPONSES_SQL = """
INSERT INTO participation_surveys_response
    (id, survey_id, token, submitted_on, grid_id, area_path, age_group, gender, is_named, via_proxy)
SELECT gen_random_uuid(), %(survey)s, md5('bench' || g), DATE '2026-11-01' + (g %% 20),
       (%(grids)s::bigint[])[1 + g %% 4], (%(paths)s::text[])[1 + g %% 4],
       (ARRAY['18-34', '35-59', '60-79', '80+', '', '0-17'])[1 + (g * 7) %% 6],
       (ARRAY['male', 'female', ''])[1 + (g * 13) %% 3], false, false
FROM generate_series(1, %(n)s) g
"""

ANSWERS_SQL = """
WITH r AS (
    SELECT id, grid_id, age_group, gender, ('x' || substr(md5(id::text), 1, 8))::bit(32)::bigint AS h
    FROM participation_surveys_response WHERE survey_id = %(survey)s
)
INSERT INTO participation_surveys_answer
    (response_id, question_id, survey_id, option, "row", rank, value, text, file, grid_id, age_group, gender, lead)
SELECT id, %(q1)s, %(survey)s, (h %% 3)::int, NULL::int, NULL::int, NULL::int, '', '',
       grid_id, age_group, gender, true FROM r
UNION ALL
SELECT id, %(q2)s, %(survey)s, o::int, NULL::int, NULL::int, NULL::int, '', '', grid_id, age_group, gender,
        x.o = (h / 3) %% 3
    FROM r CROSS JOIN LATERAL (SELECT unnest(ARRAY[(h / 3) %% 3, ((h / 3) %% 3 + 1) %% 3]) AS o) x
    WHERE h %% 3 = 1 AND (x.o = (h / 3) %% 3 OR (h / 9) %% 2 = 0)
UNION ALL
SELECT id, %(q3)s, %(survey)s, NULL::int, NULL::int, NULL::int, 1 + ((h / 7) %% 5)::int, '', '',
       grid_id, age_group, gender, true FROM r
UNION ALL
SELECT id, %(q4)s, %(survey)s, ((h / (11 + rw)) %% 3)::int, rw, NULL::int, NULL::int, '', '',
       grid_id, age_group, gender, rw = 0
    FROM r CROSS JOIN generate_series(0, 2) rw
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = _url()
    _recreate(url)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "gongzhi.settings.base", "LOG_LEVEL": "WARNING"})
    os.environ.pop("REDIS_URL", None)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from gongzhi.participation.surveys import actions, tally
        from gongzhi.participation.surveys.models import Answer, Survey
        from gongzhi.testing.world import build_world

        call_command("migrate", verbosity=0)
        world = build_world()
        actor = world.community_worker_c1
        survey = actions.create_survey(actor=actor, area=world.c1, title="加装电梯意向调查 (bench)", min_group_size=5)
        q1 = actions.add_question(
            survey, actor=actor, kind="single", text="是否支持?", options=["支持", "反对", "无所谓"]
        )
        q2 = actions.add_question(
            survey,
            actor=actor,
            kind="multiple",
            text="反对原因",
            options=["费用", "噪音", "采光"],
            show_if=q1,
            show_if_options=[1],
        )
        q3 = actions.add_question(survey, actor=actor, kind="scale", text="满意度", scale_min=1, scale_max=5)
        q4 = actions.add_question(
            survey, actor=actor, kind="matrix", text="评价", rows=["保洁", "安保", "绿化"], options=["好", "一般", "差"]
        )
        survey = actions.open_survey(survey, actor=actor)
        grids = [world.g1, world.g2, world.g3, world.g4]
        start = time.perf_counter()
        with connection.cursor() as cursor:
            params = {
                "survey": survey.pk,
                "n": args.responses,
                "grids": [g.pk for g in grids],
                "paths": [g.path for g in grids],
                "q1": q1.pk,
                "q2": q2.pk,
                "q3": q3.pk,
                "q4": q4.pk,
            }
            cursor.execute(RESPONSES_SQL, params)
            cursor.execute(ANSWERS_SQL, params)
            cursor.execute("ANALYZE participation_surveys_response")
            cursor.execute("ANALYZE participation_surveys_answer")
        Survey.objects.filter(pk=survey.pk).update(response_count=args.responses)
        answers = Answer.objects.filter(survey=survey).count()
        print(
            f"PostgreSQL {connection.pg_version // 10000}: {args.responses:,} responses, {answers:,} answer rows "
            f"(loaded in {time.perf_counter() - start:.0f} s)"
        )
        closed = actions.close_survey(Survey.objects.get(pk=survey.pk), actor=actor)
        print(f"close_survey (incl. ledger counts), first run: see below; status {closed.status}")

        def full_tally() -> dict:
            return tally.full(closed)

        def timed(fn) -> tuple[list[float], int]:
            fn()
            samples, queries = [], 0
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as ctx:
                    t = time.perf_counter()
                    fn()
                    samples.append(time.perf_counter() - t)
                queries = len(ctx.captured_queries)
            return samples, queries

        for label, fn in (
            ("tally.results (totals)", lambda: tally.results(closed)),
            ("tally.breakdown(area)", lambda: tally.breakdown(closed, "area")),
            ("results + 3 breakdowns (grid, age group, gender)", full_tally),
            ("ledger counts (close_survey's tally)", lambda: tally.ledger_counts(closed)),
        ):
            samples, queries = timed(fn)
            print(f"{label}: median {statistics.median(samples):.3f} s, max {max(samples):.3f} s, {queries} queries")
        data = full_tally()
        q1_counts = [o["count"] for o in data["questions"][0]["options"]]
        shown = len(data["breakdowns"]["age_group"]["groups"])
        answered = data["questions"][1]["answered"]
        print(f"check: q1 counts {q1_counts} (sum {sum(q1_counts):,}); q2 answered {answered:,}; age groups {shown}")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _recreate(url, drop_only=True)


if __name__ == "__main__":
    main()
