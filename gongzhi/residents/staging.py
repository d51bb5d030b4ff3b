"""Set-based writing of an import chunk's new people on PostgreSQL.

Python prepares each new person once (validated values, ciphertexts, blind indexes) and
sends the chunk with one ``COPY`` into a session-private staging table
(``TEMP … ON COMMIT DELETE ROWS``: no WAL, emptied by the chunk's commit, private to the
connection so concurrent imports never see each other's rows). Set-based SQL then moves it:

1. residents: ``INSERT … SELECT`` with primary keys drawn from the residents sequence by
   the staging table's column default;
2. households: one ``INSERT … SELECT DISTINCT ON (address)`` for the addresses the grid does
   not have yet (found through the ``(grid, address)`` index);
3. memberships: ``INSERT … SELECT`` joining staging rows to their household;
4. lineage: one row per person, ``INSERT … SELECT``;
5. rollback records: the runs of consecutive new ids (usually one per chunk), not one
   ``ImportChange`` per person.

Foreign keys. Django's foreign keys are ``DEFERRABLE INITIALLY DEFERRED``: each inserted row
queues one check per foreign key, run one by one at commit (≈ 6 index probes and row locks per
person). When the database role may set ``session_replication_role`` (a superuser, or
``GRANT SET ON PARAMETER session_replication_role TO <role>`` on PostgreSQL 15+), the inserts run
with it set to ``replica`` for these statements only, which skips those per-row triggers, and
the same guarantees are given set-based instead: the referenced grid and the households the
memberships point at are locked ``FOR KEY SHARE`` (what each per-row check would have done),
the import set is already locked ``FOR UPDATE`` by the action, and the people are the rows
this statement inserted. Unique and check constraints are not triggers and still apply. Without
that privilege the same SQL runs with the ordinary per-row checks.
"""

# SQL here is built from model metadata (quoted table and column names) and constant
# fragments; every value is a query parameter, so S608's injection warning does not apply.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import datetime
import gc
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gongzhi.privacy import crypto
from gongzhi.residents import bulk, parsing
from gongzhi.residents.choices import Gender, Relation, ResidenceType
from gongzhi.residents.errors import ResidentError, ResidentErrorCode
from gongzhi.residents.models import (
    Household,
    HouseholdMembership,
    ImportBatch,
    ImportCreatedRange,
    Resident,
    ValueLineage,
)

STAGE = "residents_import_stage"
#: staging columns (besides ``rid``, the new resident id) in COPY order
STAGE_COLUMNS = (
    ("row_number", "integer"),
    ("name", "text"),
    ("gender", "text"),
    ("date_of_birth", "date"),
    ("id_number", "text"),
    ("id_number_index", "text"),
    ("phone", "text"),
    ("phone_index", "text"),
    ("ethnicity", "text"),
    ("occupation", "text"),
    ("employer", "text"),
    ("address", "text"),
    ("household_number", "text"),
    ("relation", "text"),
    ("residence_type", "text"),
    ("fields", "jsonb"),
)
#: the register fields whose lineage an import records (the order of ``fields``)
PERSON_FIELDS = ("name", "id_number", "phone", "gender", "date_of_birth", "ethnicity", "occupation", "employer")


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _ensure_stage(cursor: Any) -> None:
    sequence = "pg_get_serial_sequence('residents_resident', 'id')"
    cursor.execute(f"SELECT to_regclass('pg_temp.{STAGE}'), {sequence}")
    exists, seq = cursor.fetchone()
    if exists:
        # Empty already when each chunk commits; not when chunks share an outer transaction.
        cursor.execute(f"TRUNCATE {STAGE}")
        return
    # Local buffers for the staging table (a chunk of 20,000 rows is ≈ 8 MB, the default
    # temp_buffers). PostgreSQL refuses a new value once the session has used a temporary
    # table, so try in a savepoint and keep the current value if refused.
    try:
        with transaction.atomic():
            cursor.execute("SET temp_buffers = '64MB'")
    except DatabaseError:
        pass
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS)
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (rid bigint NOT NULL DEFAULT nextval('{seq}'), {columns}) "
        "ON COMMIT DELETE ROWS"
    )


def may_skip_row_triggers(cursor: Any) -> bool:
    """True when this role may set ``session_replication_role`` (see the module docstring)
    and ``settings.GONGZHI_IMPORT_SET_BASED_FK`` (default true) does not turn it off."""
    if not getattr(settings, "GONGZHI_IMPORT_SET_BASED_FK", True):
        return False
    cursor.execute("SELECT has_parameter_privilege(current_user, 'session_replication_role', 'SET')")
    return bool(cursor.fetchone()[0])


@dataclass
class PreparedChunk:
    """A chunk after the per-row work that needs no database: validation, blind indexes and
    (for the staging table) ciphertexts. Built in the action or, for a pipelined import, in
    a worker process while the previous chunk is being written (it pickles)."""

    rows: int  # rows after the resume point
    last: int  # the chunk's last row number
    clean: list[parsing.CleanRow]  # values with ``_index`` / ``_phone_index`` where present
    problems: list[tuple[int, list[tuple[str, str]]]]  # (row, [(column, reason), …])
    staged: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # row → staging tuple
    # ID-number digests (see :func:`seen_digest`) of the valid rows at or before the resume
    # point: a resumed import reports a repeat of them as the first run would have.
    earlier: list[bytes] = field(default_factory=list)


def seen_digest(index: str) -> bytes:
    """What an import remembers of an ID number it has read (its blind index, first 16
    bytes) to report a later row with the same number as a repeat."""
    return bytes.fromhex(index)[:16]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while one chunk is prepared or written. A chunk keeps
    ~10 objects per row alive until it is written, so the collector's generation scans keep
    walking them: measured, preparing 60,000 rows took 2.0 to 2.6 s with the collector off and
    2.6 to 3.7 s with it on. Reference counting still frees everything that is not a cycle, and
    the collector runs as usual once re-enabled. (Process-wide: another thread of the process
    just gets no cycle collection for that moment.)"""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def prepare_chunk(
    rows: Sequence[tuple[int, dict[str, str]]], *, after_row: int, today: datetime.date, stage: bool
) -> PreparedChunk:
    """Validate, blind-index and stage ``rows`` (see :func:`_prepare_chunk`), collector paused."""
    with collector_paused():
        return _prepare_chunk(rows, after_row=after_row, today=today, stage=stage)


def _prepare_chunk(
    rows: Sequence[tuple[int, dict[str, str]]], *, after_row: int, today: datetime.date, stage: bool
) -> PreparedChunk:
    """Validate ``rows`` (those numbered after ``after_row``, the last row already done, see
    :func:`parsing.last_done_row`), compute their blind indexes and, when
    ``stage``, their staging tuples (ciphertexts included)."""
    ring = crypto.keyring()
    id_state = crypto.index_state("id_number", ring=ring)
    phone_state = crypto.index_state("phone", ring=ring)
    clean: list[parsing.CleanRow] = []
    problems: list[tuple[int, list[tuple[str, str]]]] = []
    count = 0
    earlier: list[bytes] = []
    for number, raw in rows:
        if number <= after_row:
            # Done by an earlier run of this import set: not written again, but its ID number
            # is remembered, so that a repeat after the resume point is still reported.
            done, _ = parsing.clean_row(number, raw, today=today)
            if done is not None and "id_number" in done.values:
                mac = id_state.copy()
                mac.update(done.values["id_number"].encode())
                earlier.append(seen_digest(mac.hexdigest()))
            continue
        count += 1
        row, errors = parsing.clean_row(number, raw, today=today)
        if row is None:
            problems.append((number, errors))
            continue
        values = row.values
        if "id_number" in values:
            mac = id_state.copy()
            mac.update(values["id_number"].encode())
            values["_index"] = mac.hexdigest()
        if values.get("phone"):
            mac = phone_state.copy()
            mac.update(values["phone"].encode())
            values["_phone_index"] = mac.hexdigest()
        clean.append(row)
    last = rows[-1][0] if rows else after_row
    staged: dict[int, tuple[Any, ...]] = {}
    if stage and clean:
        tuples = stage_rows([(c.number, c.values) for c in clean], ring=ring)
        staged = {c.number: t for c, t in zip(clean, tuples, strict=True)}
    return PreparedChunk(rows=count, last=last, clean=clean, problems=problems, staged=staged, earlier=earlier)


def ids_with_index(indexes: Sequence[str]) -> list[int]:
    """Ids of the people whose ID-number blind index is one of ``indexes``: one array
    parameter (a chunk's thousands of literals cost more to build and parse than the lookup),
    and the partial unique index's predicate spelt out so the planner uses that index."""
    if not indexes:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {_table(Resident)} WHERE id_number_index = ANY(%s) AND NOT (id_number_index = '')",
            [list(indexes)],
        )
        return [row[0] for row in cursor.fetchall()]


def ids_named_born(pairs: set[tuple[str, datetime.date]], *, only_without_id: bool) -> list[int]:
    """Ids of the (not anonymised) people with exactly one of these (name, date of birth)
    pairs, through the ``(date_of_birth, name)`` index; ``only_without_id`` keeps those
    without an ID number."""
    if not pairs:
        return []
    names, born = [p[0] for p in pairs], [p[1] for p in pairs]
    extra = " AND r.id_number_index = ''" if only_without_id else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id FROM {_table(Resident)} r JOIN unnest(%s::date[], %s::text[]) AS p(born, name) "
            f"ON r.date_of_birth = p.born AND r.name = p.name WHERE r.anonymised_at IS NULL{extra}",
            [born, names],
        )
        return [row[0] for row in cursor.fetchall()]


def stage_rows(new_people: Sequence[tuple[int, dict[str, Any]]], *, ring: crypto.KeyRing) -> list[tuple[Any, ...]]:
    """The staging tuples of new people: ``(row number, validated values)`` pairs, the values
    with their blind indexes (``_index``, ``_phone_index``) already computed."""
    id_aad = Resident._meta.get_field("id_number").aad  # type: ignore[union-attr]
    phone_aad = Resident._meta.get_field("phone").aad  # type: ignore[union-attr]
    id_numbers = crypto.encrypt_many([v.get("id_number", "") for _, v in new_people], id_aad, ring=ring)
    phones = crypto.encrypt_many([v.get("phone", "") for _, v in new_people], phone_aad, ring=ring)
    lineage_json: dict[tuple[str, ...], str] = {}
    out: list[tuple[Any, ...]] = []
    for (number, values), id_number, phone in zip(new_people, id_numbers, phones, strict=True):
        key = tuple(f for f in PERSON_FIELDS if f in values)
        fields = lineage_json.get(key)
        if fields is None:
            fields = lineage_json[key] = json.dumps(sorted(key))
        out.append(
            (
                number, values["name"], values.get("gender", Gender.UNKNOWN), values.get("date_of_birth"),
                id_number, values.get("_index", ""), phone, values.get("_phone_index", ""),
                values.get("ethnicity", ""), values.get("occupation", ""), values.get("employer", ""),
                values.get("address", ""), values.get("household_number", ""),
                values.get("relation", Relation.HEAD), values.get("residence_type", ResidenceType.RESIDENT), fields,
            )
        )  # fmt: skip
    return out


def _insert_select(
    cursor: Any, model: Any, given: dict[str, str], given_params: Sequence[Any], source: str,
    source_params: Sequence[Any] = (),
) -> int:  # fmt: skip
    """``INSERT INTO model (given…, other columns…) SELECT <given exprs>, <defaults> <source>``."""
    constants = bulk.defaults(model, list(given))
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    names = [fields[a] for a in given] + [fields[a] for a in constants]
    exprs = list(given.values()) + ["%s"] * len(constants)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    cursor.execute(
        f"INSERT INTO {_table(model)} ({quoted}) SELECT {', '.join(exprs)} {source}",
        [*given_params, *constants.values(), *source_params],
    )
    return int(cursor.rowcount)


def write_new_people(batch: ImportBatch, rows: list[tuple[Any, ...]]) -> int:
    """Write the staged new people of one chunk (see the module docstring); returns how many."""
    if not rows:
        return 0
    grid_id, path = batch.grid_id, batch.area_path
    today: datetime.date = timezone.localdate()
    now = timezone.now()
    with connection.cursor() as cursor:
        _ensure_stage(cursor)
        names = ", ".join(name for name, _ in STAGE_COLUMNS)
        with cursor.cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        skip_triggers = may_skip_row_triggers(cursor)
        if skip_triggers:
            cursor.execute("SELECT id FROM territory_area WHERE id = %s FOR KEY SHARE", [grid_id])
            if cursor.fetchone() is None:
                raise ResidentError(ResidentErrorCode.AREA_NOT_A_GRID, field="grid")
            cursor.execute("SELECT set_config('session_replication_role', 'replica', true)")
        try:
            created = _move(cursor, batch, grid_id=grid_id, path=path, today=today, now=now, locks=skip_triggers)
        finally:
            if skip_triggers:
                cursor.execute("SELECT set_config('session_replication_role', 'origin', true)")
    return created


def _move(
    cursor: Any, batch: ImportBatch, *, grid_id: int, path: str, today: datetime.date, now: datetime.datetime,
    locks: bool,
) -> int:  # fmt: skip
    stage = STAGE
    created = _insert_select(
        cursor,
        Resident,
        {
            "id": "rid", "name": "name", "gender": "gender", "date_of_birth": "date_of_birth",
            "id_number": "id_number", "id_number_index": "id_number_index", "phone": "phone",
            "phone_index": "phone_index", "ethnicity": "ethnicity", "occupation": "occupation",
            "employer": "employer", "grid_id": "%s", "area_path": "%s",
        },
        [grid_id, path],
        f"FROM {stage}",
    )  # fmt: skip
    households = _table(Household)
    _insert_select(
        cursor,
        Household,
        {"grid_id": "%s", "area_path": "%s", "address": "address", "number": "household_number",
         "import_batch_id": "%s"},
        [grid_id, path, batch.pk],
        f"FROM (SELECT DISTINCT ON (address) address, household_number FROM {stage} s WHERE address <> '' "
        f"AND NOT EXISTS (SELECT 1 FROM {households} h WHERE h.grid_id = %s AND h.address = s.address) "
        "ORDER BY address, row_number) n",
        [grid_id],
    )  # fmt: skip
    # The households the memberships point at: the oldest one per address in the grid.
    matched = (
        f"SELECT address, min(id) AS id FROM {households} WHERE grid_id = %s "
        f"AND address IN (SELECT address FROM {stage} WHERE address <> '') GROUP BY address"
    )
    if locks:
        cursor.execute(
            f"SELECT 1 FROM {households} WHERE id IN (SELECT id FROM ({matched}) m) FOR KEY SHARE", [grid_id]
        )
    _insert_select(
        cursor,
        HouseholdMembership,
        {"household_id": "h.id", "resident_id": "s.rid", "area_path": "%s", "relation": "s.relation",
         "residence_type": "s.residence_type", "moved_in_on": "%s"},
        [path, today],
        f"FROM {stage} s JOIN ({matched}) h ON h.address = s.address",
        [grid_id],
    )  # fmt: skip
    _insert_select(
        cursor,
        ValueLineage,
        {"resident_id": "rid", "fields": "fields", "batch_id": "%s", "source": "%s", "priority": "%s",
         "recorded_at": "%s"},
        [batch.pk, batch.source, batch.priority, now],
        f"FROM {stage}",
    )  # fmt: skip
    # Runs of consecutive ids (gaps only where a concurrent insert took a number between ours).
    _insert_select(
        cursor,
        ImportCreatedRange,
        {"batch_id": "%s", "first_id": "min(rid)", "last_id": "max(rid)"},
        [batch.pk],
        f"FROM (SELECT rid, rid - row_number() OVER (ORDER BY rid) AS run FROM {stage}) r GROUP BY run",
    )
    return created
