"""The authorisation-matrix harness every domain plugs into.

A domain declares its endpoints as :class:`Case` rows: how to build the URL and body
from the world, and the expected status for each actor (see ``world.ACTORS``).
Actors not listed get ``default`` — deny by default, so a forgotten actor fails loud
if it is let in. ``matrix_params(CASES)`` yields pytest params, one per (case, actor);
``check(world, client_for, case, actor)`` runs one and, for successful writes, asserts
exactly one audit change record was written.

    CASES = [
        Case("area detail, own community", "get", lambda w: f"/api/territory/areas/{w.c1.pk}/",
             allow={"community_worker_c1": 200, "street_official_s1": 200}, default=404),
    ]

    @pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
    def test_matrix(world, client_for, case, actor):
        check(world, client_for, case, actor)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

from gongzhi.testing.world import ACTORS, World

SAFE_METHODS = {"get", "head", "options"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    allow: dict[str, int] = field(default_factory=dict)
    default: int = 404
    anonymous: int = 403
    body: Callable[[World], Any] | None = None
    fmt: str = "json"
    # For list endpoints: actor -> predicate over the set of returned ids, or a callable
    # computing the exact expected ids from the world.
    expect_ids: dict[str, Callable[[World], set[Any]]] = field(default_factory=dict)
    writes: int | None = None  # change records expected for a successful write (default 1)

    def expected(self, actor: str) -> int:
        if actor == "anonymous":
            return self.anonymous
        return self.allow.get(actor, self.default)


def matrix_params(cases: Iterable[Case], actors: Iterable[str] | None = None) -> list[Any]:
    names = list(actors or ACTORS)
    return [pytest.param(case, actor, id=f"{case.name}|{actor}") for case in cases for actor in names]


def _ids(data: Any) -> set[Any]:
    rows = data.get("results", data) if isinstance(data, dict) else data
    return {row["id"] for row in rows}


def check(world: World, client_for: Callable[[str], Any], case: Case, actor: str) -> Any:
    from gongzhi.audit.models import ChangeRecord

    client = client_for(actor)
    url = case.url(world)
    kwargs: dict[str, Any] = {}
    if case.body is not None:
        kwargs = {"data": case.body(world), "format": case.fmt}
    before = ChangeRecord.objects.count()
    response = getattr(client, case.method)(url, **kwargs)
    expected = case.expected(actor)
    assert response.status_code == expected, (
        f"{case.name} as {actor}: expected {expected}, got {response.status_code}: "
        f"{getattr(response, 'data', response.content[:300])!r}"
    )
    written = ChangeRecord.objects.count() - before
    if case.method not in SAFE_METHODS:
        if 200 <= response.status_code < 300:
            want = 1 if case.writes is None else case.writes
            assert written == want, f"{case.name} as {actor}: wrote {written} change records, expected {want}"
        else:
            assert written == 0, f"{case.name} as {actor}: refused request wrote {written} change records"
    if actor in case.expect_ids and response.status_code == 200:
        assert _ids(response.json()) == case.expect_ids[actor](world), f"{case.name} as {actor}: wrong rows"
    return response
