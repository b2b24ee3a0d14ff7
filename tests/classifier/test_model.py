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
    """The compiled weights give what the stored scikit-learn heads give, for one message and a batch."""
    import numpy as np

    from inquiry.classifier.model import calibrated_proba
    from inquiry.classifier.text import model_input

    texts = ("webinar recording please", "ayuda urgente", "谢谢", "Our drivers found a pistol in a rented van")
    features = router.features.transform([model_input(t, "x") for t in texts])
    batch = router.predict_many(list(texts), channels=["x"] * len(texts))
    for i, text in enumerate(texts):
        single = router.predict(text, channel="x")
        for head in ("topic", "audience"):
            proba = router.heads[head].predict_proba(features[i])[0]
            assert single == batch[i] and getattr(single, head).value == router.heads[head].classes_[proba.argmax()]
            assert abs(getattr(single, head).confidence - proba.max()) < 1e-4
    language = router.language_features.transform(list(texts))
    assert np.allclose(calibrated_proba(router.language_head, language), router.language_head.predict_proba(language), atol=1e-6)


def test_low_confidence_goes_to_triage_saying_why(router):
    p = router.predict("ok", channel="x")
    joint = p.topic.confidence * p.audience.confidence
    assert p.is_confident == (joint >= router.thresholds["routed"])
    if not p.is_confident:
        assert p.reason.startswith("low confidence: topic")
