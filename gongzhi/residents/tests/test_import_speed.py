"""Behaviour of the import's speed measures (speed itself is shown by bench/bench_residents_import.py)."""

from __future__ import annotations

import gc
import io

import pytest

from gongzhi.residents import importer, staging
from gongzhi.residents.models import Resident
from gongzhi.residents.tests.test_import import csv_bytes, new_id, profile

pytestmark = pytest.mark.django_db


def test_the_collector_is_paused_inside_a_chunk_and_restored_after_it_even_on_an_error():
    assert gc.isenabled()
    with staging.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), staging.collector_paused():
        raise RuntimeError("chunk failed")
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    try:
        with staging.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_chunks_are_prepared_and_written_with_the_collector_paused(world, people, monkeypatch):
    seen = []
    real_prepare, real_write = staging._prepare_chunk, staging.write_new_people

    def prepare(*args, **kwargs):
        seen.append(("prepare", gc.isenabled()))
        return real_prepare(*args, **kwargs)

    def write(*args, **kwargs):
        seen.append(("write", gc.isenabled()))
        return real_write(*args, **kwargs)

    monkeypatch.setattr(staging, "_prepare_chunk", prepare)
    monkeypatch.setattr(staging, "write_new_people", write)
    rows = [[f"钱{i:03d}", new_id(1960 + i), "", "", f"科苑路{i}号", "", ""] for i in range(4)]

    batch = importer.run_import(
        profile(world), io.BytesIO(csv_bytes(rows)), "名单.csv", grid=world.g2, actor=world.community_worker_c1,
        chunk_size=2,
    )  # fmt: skip

    assert batch.rows_created == 4
    assert Resident.objects.filter(grid=world.g2, name__startswith="钱").count() == 4
    assert ("prepare", False) in seen
    assert all(enabled is False for _, enabled in seen)
    assert gc.isenabled()
