from commerce.localized import LocalizedText, normalize_language


def test_get_returns_requested_language_and_falls_back_when_empty() -> None:
    text = LocalizedText(zh="耳机", en="Headphones")
    assert text.get("zh") == "耳机"
    assert text.get("en-US") == "Headphones"
    assert LocalizedText(zh="耳机").get("en") == "耳机"
    assert LocalizedText(en="Headphones").get("zh") == "Headphones"


def test_language_normalisation_defaults_to_chinese() -> None:
    assert normalize_language("zh_Hans_CN") == "zh"
    assert normalize_language("EN") == "en"
    assert normalize_language("fr") == "zh"
    assert normalize_language(None) == "zh"


def test_doc_round_trip_and_plain_string() -> None:
    text = LocalizedText(zh="极光手机", en="Aurora Phone")
    assert LocalizedText.from_doc(text.to_doc()) == text
    assert LocalizedText.from_doc("Acme") == LocalizedText("Acme", "Acme")
    assert LocalizedText.from_doc(None) == LocalizedText()
    assert not LocalizedText()
    assert LocalizedText(en="x").values() == ("x",)
