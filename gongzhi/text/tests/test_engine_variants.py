"""The character-only feature variant: no jieba, same contract as the default model."""

from __future__ import annotations

import pytest

from gongzhi.text.engine import tokenise
from gongzhi.text.engine.classifier import TextClassifier, evaluate_predictions
from gongzhi.text.engine.features import Doc, char_ngrams_1_4
from gongzhi.text.tests import shared_data


@pytest.fixture(scope="module")
def chars_classifier() -> TextClassifier:
    rows = shared_data.stratified(shared_data.labelled(), 120, offset=0)
    return TextClassifier.train(
        [r["title"] for r in rows], [r["text"] for r in rows], [r["label"] for r in rows], variant="chars"
    )


def test_char_ngrams_1_4():
    grams = char_ngrams_1_4(Doc(title_words=[], text_words=[], chars="垃圾 清运"))
    assert grams[:4] == ["垃", "圾", "清", "运"]
    assert "垃圾清运" in grams
    assert "圾清" in grams
    assert len(grams) == 4 + 3 + 2 + 1


def test_chars_variant_predicts_held_out_real_messages_without_jieba(chars_classifier, monkeypatch):
    def no_jieba(text: str) -> list[str]:
        raise AssertionError("the chars variant must not segment")

    monkeypatch.setattr("gongzhi.text.engine.features.words", no_jieba)
    held_out = shared_data.stratified(shared_data.labelled(), 40, offset=1)
    pred = chars_classifier.predict([r["title"] for r in held_out], [r["text"] for r in held_out])
    report = evaluate_predictions([r["label"] for r in held_out], pred, chars_classifier.labels)
    assert report["macro_f1"] > 0.75, report
    assert chars_classifier.params["variant"] == "chars"
    assert not chars_classifier.segments
    assert tokenise.normalise("ＡＢＣ") == "abc"


def test_chars_variant_round_trip_and_hostile_text(chars_classifier, tmp_path):
    path = tmp_path / "m.pkl"
    assert 0 < chars_classifier.save(path) < 50 * 1024 * 1024
    again = TextClassifier.load(path)
    assert again.predict(["小区垃圾"], ["垃圾堆积无人清运"]) == chars_classifier.predict(
        ["小区垃圾"], ["垃圾堆积无人清运"]
    )
    for text in ["", "🚨" * 50, "长" * 100_000, "\x00\u200b"]:
        top = again.suggest(text, text, top=2)
        assert len(top) == 2
        assert all(0 <= s.confidence <= 1 for s in top)


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="unknown feature variant"):
        TextClassifier.train(["a", "b"], ["x", "y"], ["一", "二"], variant="bert")
