from inquiry.classifier import language


def test_common_languages(router):
    cases = {"Bonjour, comment signaler une arnaque ?": "fr", "请问怎么举报诈骗网站？": "zh",
             "Здравствуйте, где найти отчёт?": "ru", "Merhaba, web seminerine nasıl kayıt olurum?": "tr",
             "안녕하세요, 웨비나 녹화본이 있나요?": "ko", "Apakah webinar ini ada rekamannya?": "id"}
    for text, expected in cases.items():
        code, _ = language.detect(text, vectorizer=router.language_features, head=router.language_head)
        assert code == expected, text


def test_too_short_to_tell_takes_the_fallback(router):
    assert language.detect("ok", vectorizer=router.language_features, head=router.language_head, fallback="pt") == ("pt", 0.5)
    assert language.detect("👍👍", fallback=None)[0] is None
