"""The trained router: labels with confidences and reasons, safe on any input."""
from hypothesis import given
from hypothesis import strategies as st

from inquiry import taxonomy


def test_a_clear_message_gets_every_label_with_confidence_and_why(router):
    p = router.predict("Hello, I teach at a secondary school in Lyon. Where can I find the recording of last week's "
                       "webinar on online grooming, and do attendees get a certificate?", channel="facebook")
    assert p.topic.value == "webinars" and p.audience.value == "education"
    assert p.priority.value in taxonomy.PRIORITIES and p.language.value == "en"
    assert 0 < p.topic.confidence <= 1 and p.topic.why and "webinar" in " ".join(p.topic.why)
    assert p.is_confident, p.reason


def test_danger_now_is_urgent_in_several_languages(router):
    for text in ("Please help, my sister was pushed into a van outside the station 10 minutes ago, they are driving north",
                 "¡Ayuda! Unos hombres armados tienen encerrada a mi hija en una casa, por favor",
                 "救命！有人把我关在宿舍里，拿走了我的护照，不让我离开",
                 "Помогите, мужа избивают прямо сейчас у подъезда, у них ножи"):
        assert router.predict(text).priority.value == "urgent", text


def test_scary_words_without_danger_now_are_not_urgent(router):
    p = router.predict("For my master's thesis I need annual statistics on kidnapping for ransom in West Africa since 2015.")
    assert p.priority.value != "urgent"


def test_empty_text_predicts_nothing_and_says_why(router):
    for text in ("", "   \n\t"):
        p = router.predict(text)
        assert not p.is_confident and p.topic.value is None and p.reason == "empty message"


@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_any_text_gets_a_prediction_never_an_exception(router, text):
    p = router.predict(text, channel="telegram")
    assert p.topic.value is None or p.topic.value in taxonomy.TOPICS


def test_huge_and_mixed_script_texts(router):
    assert router.predict("😀" * 50).priority.value in taxonomy.PRIORITIES
    big = ("Bonjour 你好 مرحبا hello " * 5000)[:100_000]
    assert router.predict(big).topic.value in taxonomy.TOPICS


def test_fast_probabilities_equal_scikit_learns(router):
    import numpy as np

    from inquiry.classifier.model import calibrated_proba
    from inquiry.classifier.text import model_input

    features = router.features.transform([model_input(t, "x") for t in ("webinar recording please", "ayuda urgente", "谢谢")])
    for head in router.heads.values():
        assert np.allclose(calibrated_proba(head, features), head.predict_proba(features), atol=1e-6)
