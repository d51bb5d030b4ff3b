"""The pure text engine on real messages from ../shared/data/messages and on hostile input."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from gongzhi.text.engine import tokenise
from gongzhi.text.engine.classifier import TextClassifier, evaluate_predictions
from gongzhi.text.engine.csvdata import attention, parse_time
from gongzhi.text.engine.duplicates import Message, rank_duplicates
from gongzhi.text.engine.hotspots import HotMessage, find_hotspots, places
from gongzhi.text.engine.redact import PiiKind, find_personal_data, id_checksum_ok, redact
from gongzhi.text.engine.reply import ReplyWarning, check_reply
from gongzhi.text.engine.similarity import cosine, cosines, profile, similarity
from gongzhi.text.engine.urgency import UrgencyCue, find_urgency_cues
from gongzhi.text.tests import shared_data

SH = dt.timezone(dt.timedelta(hours=8))
HOSTILE = [
    "",
    "   ",
    "🚨🔥😡" * 50,
    "<script>alert('x')</script>",
    "长" * 100_000,
    "Mixed 中文 English العربية русский 12345 ＡＢＣ１２３",
    "\x00\u200b\ufeff",
]


# --- tokenising -------------------------------------------------------------------------------


def test_segmenter_is_loaded_once_per_process():
    tok = tokenise.get_tokenizer()
    assert tokenise.get_tokenizer() is tok
    assert "垃圾" in tokenise.words("小区垃圾无人清运")


@pytest.mark.parametrize("text", HOSTILE)
def test_tokenise_survives_hostile_text(text):
    words = tokenise.words(tokenise.normalise(text))
    assert len(tokenise.normalise(text)) <= tokenise.MAX_CHARS
    assert all(w.strip() for w in words)


# --- classification -------------------------------------------------------------------------


def test_classifier_predicts_held_out_real_messages(small_classifier):
    held_out = shared_data.stratified(shared_data.labelled(), 40, offset=1)
    pred = small_classifier.predict([r["title"] for r in held_out], [r["text"] for r in held_out])
    report = evaluate_predictions([r["label"] for r in held_out], pred, small_classifier.labels)
    # 120 examples per category reach about 0.85 macro-F1; chance is 0.14.
    assert report["macro_f1"] > 0.75, report
    assert set(report["per_class"]) == set(small_classifier.labels)
    assert len(report["confusion_matrix"]["rows_true_cols_predicted"]) == 7


def test_confidence_is_a_probability_and_ranked(small_classifier):
    row = shared_data.labelled()[1]
    proba = small_classifier.predict_proba([row["title"]], [row["text"]])
    assert np.isclose(proba.sum(), 1.0)
    top = small_classifier.suggest(row["title"], row["text"], top=3)
    assert [s.confidence for s in top] == sorted((s.confidence for s in top), reverse=True)
    assert 0 < top[0].confidence <= 1


def test_calibration_high_confidence_is_usually_right(small_classifier):
    held_out = shared_data.stratified(shared_data.labelled(), 40, offset=1)
    proba = small_classifier.predict_proba([r["title"] for r in held_out], [r["text"] for r in held_out])
    best = proba.max(axis=1)
    right = np.array(
        [small_classifier.labels[i] == r["label"] for i, r in zip(proba.argmax(axis=1), held_out, strict=False)]
    )
    confident = best >= 0.8
    assert confident.sum() > 20
    assert right[confident].mean() > right[~confident].mean()


@pytest.mark.parametrize("text", HOSTILE)
def test_classifier_accepts_hostile_text(small_classifier, text):
    top = small_classifier.suggest(text, text, top=2)
    assert len(top) == 2
    assert all(0 <= s.confidence <= 1 for s in top)


def test_model_round_trip_and_refuses_foreign_pickles(small_classifier, tmp_path):
    path = tmp_path / "m.pkl"
    size = small_classifier.save(path)
    assert 0 < size < 50 * 1024 * 1024
    again = TextClassifier.load(path)
    assert again.predict(["小区垃圾"], ["垃圾堆积无人清运"]) == small_classifier.predict(
        ["小区垃圾"], ["垃圾堆积无人清运"]
    )
    import pickle

    path.write_bytes(pickle.dumps({"format": 99}))
    with pytest.raises(ValueError, match="not a gongzhi text model"):
        TextClassifier.load(path)


def test_training_needs_two_categories():
    with pytest.raises(ValueError, match="two categories"):
        TextClassifier.train(["a", "b"], ["x", "y"], ["一", "一"])


# --- urgency ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("楼下燃气管道泄漏，味道很大，请马上派人", UrgencyCue.GAS_LEAK),
        ("三楼厨房着火了，浓烟很大", UrgencyCue.FIRE),
        ("电梯困人半小时了没人来", UrgencyCue.TRAPPED),
        ("邻居说不想活了，要跳楼", UrgencyCue.SELF_HARM),
        ("隔壁独居老人三天没出门，敲门没人应", UrgencyCue.ALONE_UNREACHABLE),
        ("围墙倒塌压住了车", UrgencyCue.COLLAPSE),
    ],
)
def test_urgency_cues(text, cue):
    assert cue in {c.cue for c in find_urgency_cues("", text)}


@pytest.mark.parametrize("text", ["消防通道被堵，存在火灾隐患", "没有起火", "小区路灯不亮", *HOSTILE])
def test_no_urgency_for_hazards_negations_or_noise(text):
    assert find_urgency_cues("", text) == []


def test_urgency_on_a_real_message():
    rows = [r for r in shared_data.labelled() if "被困电梯" in r["text"]]
    assert rows, "the labelled data mention people trapped in lifts"
    assert UrgencyCue.TRAPPED in {c.cue for c in find_urgency_cues(rows[0]["title"], rows[0]["text"])}


# --- redaction ------------------------------------------------------------------------------


def test_redaction_of_each_kind():
    text = (
        "电话13812345678，身份证11010519491231002X，卡号6222 0212 3456 7890 123，车牌湘A·12345，住幸福小区3栋2单元501室"
    )
    kinds = {p.kind for p in find_personal_data(text)}
    assert kinds == {PiiKind.PHONE, PiiKind.ID_NUMBER, PiiKind.BANK_CARD, PiiKind.PLATE, PiiKind.ADDRESS}
    masked = redact(text)
    for secret in ("13812345678", "11010519491231002X", "7890 123", "12345", "501"):
        assert secret not in masked
    assert "138****5678" in masked
    assert "幸福小区" in masked
    assert id_checksum_ok("11010519491231002X")


def test_redaction_of_a_real_address():
    row = shared_data.hotspot_rows()[0]
    assert "G2栋320" in row["text"]
    assert "G2栋320" not in redact(row["text"])
    assert "联丰路" in redact(row["text"])


@pytest.mark.parametrize("text", ["根据3号文件办理", "每4年可休20天", "2019年4月10日", "A3区"])
def test_redaction_leaves_ordinary_numbers(text):
    assert redact(text) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_redaction_of_hostile_text(text):
    assert len(redact(text)) == len(text)


# --- duplicates -----------------------------------------------------------------------------


def _msg(key, title, text, days=0, **kw):
    return Message(
        key=key, title=title, text=text, time=dt.datetime(2026, 11, 1, tzinfo=SH) + dt.timedelta(days=days), **kw
    )


def test_duplicates_ranks_same_problem_nearby_first():
    rows = [r for r in shared_data.hotspot_rows() if "丽发新城" in r["title"]][:3]
    query = _msg(0, rows[0]["title"], rows[0]["text"], area_path="a/b/c/")
    same = _msg(1, rows[1]["title"], rows[1]["text"], days=2, area_path="a/b/c/")
    other = _msg(2, "小学门口交通拥堵", "每天早上学校门口车辆乱停", days=1, area_path="a/b/c/")
    far_in_time = _msg(3, rows[2]["title"], rows[2]["text"], days=90, area_path="a/b/c/")
    ranked = rank_duplicates(query, [other, same, far_in_time])
    assert [d.key for d in ranked] == [1]


def test_duplicates_use_distance_when_known():
    a = _msg(0, "路灯不亮", "科苑路北口路灯坏了好几天", lat=22.54, lng=113.95)
    near = _msg(1, "路灯坏了", "科苑路北口的路灯坏了", lat=22.5401, lng=113.9501)
    far = _msg(2, "路灯坏了", "科苑路北口的路灯坏了", lat=22.64, lng=114.05)
    ranked = rank_duplicates(a, [far, near], threshold=0.0)
    assert ranked[0].key == 1
    assert ranked[0].distance_m < 50


@pytest.mark.parametrize("text", HOSTILE)
def test_duplicates_with_hostile_text(text):
    assert rank_duplicates(_msg(0, text, text), [_msg(1, text, text)], threshold=0.0) is not None
    assert 0.0 <= similarity(text, text, "路灯", "坏了") <= 1.0 + 1e-9


def reference(title_a, text_a, title_b, text_b):
    """The plain definition: the cosine of two dict profiles."""
    return cosine(profile(title_a, text_a), profile(title_b, text_b))


def test_batched_cosines_equal_the_dict_profiles_on_real_messages():
    """``cosines`` (numpy, used to rank duplicates and by ``similarity``) gives the plain
    definition for every candidate."""
    rows = shared_data.hotspot_rows()[:400]
    pairs = [(r["title"], r["text"][:200]) for r in rows]
    for query in [*rows[:5], {"title": "", "text": "一"}, {"title": "灯", "text": ""}]:
        batched = cosines(query["title"], query["text"], pairs)
        expected = [reference(query["title"], query["text"], t, b) for t, b in pairs]
        np.testing.assert_allclose(batched, expected, rtol=0, atol=1e-12)
    assert cosines("路灯坏了", "", []).shape == (0,)
    lone_surrogate = "路灯\ud800坏了"  # JSON can carry one; it is dropped like punctuation
    expected = reference(lone_surrogate, "", "路灯坏了", "")
    assert cosines(lone_surrogate, "", [("路灯坏了", "")])[0] == pytest.approx(expected)


@pytest.mark.parametrize("text", HOSTILE)
def test_batched_cosines_with_hostile_text(text):
    pairs = [(text, text), ("路灯", "坏了"), ("", ""), ("😀", "a")]
    expected = [reference(text, text, t, b) for t, b in pairs]
    np.testing.assert_allclose(cosines(text, text, pairs), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        cosines("路灯", "坏了", [(text, text)]), [reference("路灯", "坏了", text, text)], rtol=0, atol=1e-12
    )


def test_similarity_is_the_plain_definition():
    rows = shared_data.hotspot_rows()[:20]
    for a, b in itertools.pairwise(rows):
        expected = reference(a["title"], a["text"], b["title"], b["text"])
        assert similarity(a["title"], a["text"], b["title"], b["text"]) == pytest.approx(expected, abs=1e-12)


# --- hot spots --------------------------------------------------------------------------------


def _hot(rows):
    return [HotMessage(r["id"], r["title"], r["text"], parse_time(r["time"]), r["user"], attention(r)) for r in rows]


def test_hotspots_find_the_mixing_plant_complaints():
    rows = shared_data.hotspot_rows()
    subset = [r for r in rows if "丽发新城" in r["title"] or "魅力之城" in r["title"]] + rows[:300]
    spots = find_hotspots(_hot(subset), top=3)
    assert spots, "hot spots expected"
    labels = " ".join(s.label for s in spots[:2])
    assert "丽发新城" in labels
    assert "魅力之城" in labels
    top = spots[0]
    assert top.reporters >= 10
    assert top.trend
    assert top.members


def test_places_strip_administrative_prefixes():
    assert "月亮岛路" in places("关于a6区月亮岛路沿线架设高压线的投诉")


@pytest.mark.parametrize("text", HOSTILE)
def test_hotspots_with_hostile_text(text):
    msgs = [HotMessage(str(i), text, text, None, f"u{i}") for i in range(3)]
    assert isinstance(find_hotspots(msgs), list)
    assert find_hotspots([]) == []


# --- replies ----------------------------------------------------------------------------------


def test_weak_real_reply_is_flagged():
    row = next(r for r in shared_data.replied() if r["reply"].strip().endswith("留言已收悉"))
    check = check_reply(
        row["title"],
        row["text"],
        row["reply"],
        asked_at=parse_time(row["time"]),
        replied_at=parse_time(row["reply_time"]),
    )
    assert check.weak
    assert ReplyWarning.NO_ACTION in check.warnings
    assert ReplyWarning.TOO_SHORT in check.warnings


def test_complete_real_reply_scores_high():
    rows = shared_data.replied()
    checks = [check_reply(r["title"], r["text"], r["reply"]) for r in rows[:200]]
    best = max(checks, key=lambda c: c.score)
    assert best.score >= 85
    assert not best.weak
    assert best.has_action
    assert best.has_unit
    assert best.has_time
    assert best.has_basis


def test_off_topic_and_late_reply():
    asked = dt.datetime(2026, 1, 1, tzinfo=SH)
    check = check_reply(
        "小区垃圾无人清运",
        "垃圾堆了一周没人管",
        "经核实，区教育局已于2026年1月3日依据《义务教育法》安排学校调整课程。",
        asked_at=asked,
        replied_at=asked + dt.timedelta(days=40),
    )
    assert ReplyWarning.OFF_TOPIC in check.warnings
    assert ReplyWarning.LATE in check.warnings


@pytest.mark.parametrize("text", HOSTILE)
def test_reply_check_of_hostile_text(text):
    check = check_reply(text, text, text)
    assert 0 <= check.score <= 100
