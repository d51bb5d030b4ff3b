"""The shared evaluation data is found from a checkout and from a fresh clone of it."""

from pathlib import Path

import pytest

from gongzhi.testing import shared


@pytest.fixture(autouse=True)
def _fresh_lookup():
    shared.shared_dir.cache_clear()
    yield
    shared.shared_dir.cache_clear()


def test_the_environment_variable_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGZHI_SHARED_DIR", str(tmp_path))
    assert shared.shared_dir() == tmp_path


def test_a_clone_elsewhere_reads_the_data_next_to_its_origin(tmp_path, monkeypatch):
    origin = tmp_path / "work" / "main"
    origin.mkdir(parents=True)
    (tmp_path / "work" / "shared").mkdir()
    clone = tmp_path / "elsewhere" / "x"
    clone.mkdir(parents=True)
    monkeypatch.delenv("GONGZHI_SHARED_DIR", raising=False)
    monkeypatch.setattr(shared, "REPOSITORY", clone)
    monkeypatch.setattr(shared, "_origin_path", lambda: origin)
    assert shared.shared_dir() == tmp_path / "work" / "shared"


def test_without_any_candidate_the_usual_place_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("GONGZHI_SHARED_DIR", raising=False)
    monkeypatch.setattr(shared, "REPOSITORY", tmp_path / "repo")
    monkeypatch.setattr(shared, "_origin_path", lambda: None)
    assert shared.shared_dir() == Path(tmp_path / "shared")


def test_this_checkout_finds_the_real_messages():
    assert (shared.shared_dir() / "data" / "messages" / "labelled_messages.csv").is_file()
