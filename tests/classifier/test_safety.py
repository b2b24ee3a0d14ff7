from inquiry.classifier.safety import danger_terms


def test_danger_phrases_are_found_in_many_languages():
    assert {"help me", "please help"} & set(danger_terms("please HELP ME they are outside"))
    assert danger_terms("¡Socorro! me secuestraron")
    assert danger_terms("救命，有人绑架了我的孩子")
    assert danger_terms("помогите, нас держат в подвале")
    assert danger_terms("ساعدوني، أنا محتجز")
    assert danger_terms("tolong, saya disekap di gudang")


def test_latin_phrases_match_at_word_starts_only():
    assert danger_terms("the project has begun, thanks for the toolkit") == []
    assert danger_terms("Ayudante de cocina busca empleo") == ["ayuda"]  # stems match word starts, by design
