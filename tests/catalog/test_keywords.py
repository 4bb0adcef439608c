from commerce.catalog.keywords import pinyin_forms, product_keywords, query_terms, stem, text_tokens, title_keywords
from commerce.catalog.model import Product, Sku
from commerce.catalog.search import correct_terms
from commerce.catalog.specs import label_specs
from commerce.catalog.typos import TypoCorrector, max_distance
from commerce.localized import LocalizedText
from commerce.money import Money


def _phone() -> Product:
    return Product(
        code="P100",
        category="phones",
        brand="Acme",
        title=LocalizedText("极光降噪蓝牙耳机", "Aurora Noise-Cancelling Headphones"),
        description=LocalizedText("超长续航", "Long battery life"),
        tags=("new",),
        skus=(Sku("P100-BLK", Money.parse("899.00", "CNY"), {"color": "black"}),),
    )


def test_chinese_text_is_segmented_with_jieba_search_mode() -> None:
    tokens = text_tokens("降噪蓝牙耳机")
    assert {"降噪", "蓝牙", "耳机"} <= set(tokens)


def test_english_tokens_are_lowercased_without_stopwords() -> None:
    assert text_tokens("The Wireless HEADPHONES for you") == ["wireless", "headphones"]


def test_codes_are_kept_whole_as_well_as_split() -> None:
    tokens = text_tokens("P100-BLK-128")
    assert "p100-blk-128" in tokens
    assert "p100" in tokens


def test_chat_stopwords_are_dropped_from_queries() -> None:
    assert [t.token for t in query_terms("我想买一个耳机")] == ["耳机"]
    assert [t.token for t in query_terms("I want to buy headphones")] == ["headphones"]


def test_pinyin_full_and_initials() -> None:
    forms = pinyin_forms("蓝牙耳机")
    assert {"erji", "lanya", "lanyaerji", "lyej"} <= forms


def test_product_keywords_cover_languages_stems_pinyin_synonyms_and_codes() -> None:
    keywords = set(product_keywords(_phone(), [LocalizedText("数码", "Digital")]))
    assert {"耳机", "蓝牙", "headphones", "aurora"} <= keywords  # zh + en tokens
    assert stem("headphones") in keywords
    assert stem("battery") in keywords
    assert {"erji", "jiguang"} <= keywords
    assert "shuma" not in keywords
    assert {"earbuds", "耳麦"} <= keywords  # synonyms of 耳机/headphones
    assert {"p100", "p100-blk"} <= keywords  # product and SKU codes
    assert {"black", "黑色", "颜色", "新品"} <= keywords  # spec values/labels, tag labels
    assert "数码" in keywords
    assert "digital" in keywords


def test_title_keywords_are_a_subset_without_description_words() -> None:
    title = set(title_keywords(_phone()))
    assert "耳机" in title
    assert "续航" not in title
    assert title <= set(product_keywords(_phone()))


def test_query_terms_group_token_and_stem() -> None:
    (term,) = query_terms("Headphones")
    assert term.variants == {"headphones", "headphon"}


def test_typo_corrector_distance_rules() -> None:
    corrector = TypoCorrector(["headphones", "phone", "erji", "耳机", "aurora"])
    assert "耳机" not in corrector  # only Latin-script words are corrected against
    assert corrector.corrections("headphnes") == ["headphones"]  # distance 1
    assert corrector.corrections("hedphnes") == ["headphones"]  # distance 2 allowed from 8 characters
    assert corrector.corrections("phnoe") == []  # distance 2 not allowed below 8 characters
    assert corrector.corrections("phne") == ["phone"]
    assert corrector.corrections("phone") == []  # known word: nothing to correct
    assert corrector.corrections("erj") == []  # too short to correct
    assert max_distance("abc") == 0
    assert max_distance("abcd") == 1
    assert max_distance("abcdefgh") == 2


def test_correct_terms_keeps_original_and_adds_fix_with_stem() -> None:
    corrector = TypoCorrector(["headphones", "headphon"])
    terms, corrections = correct_terms(query_terms("headphnes"), corrector)
    assert corrections == {"headphnes": ["headphones"]}
    assert {"headphnes", "headphones", "headphon"} <= terms[0].variants
    assert terms[0].corrected


def test_spec_labels_are_bilingual_where_known() -> None:
    color, size, custom = label_specs({"颜色": "黑色", "size": "XL", "版型": "修身"})
    assert color.format("en") == "Color: Black"
    assert color.format("zh") == "颜色: 黑色"
    assert size.key_label == LocalizedText("尺码", "Size")
    assert size.value_label == LocalizedText("XL", "XL")
    assert custom.format("en") == "版型: 修身"


def test_two_words_naming_one_synonym_are_one_term() -> None:
    terms = query_terms("head torch x1")
    joined = [t for t in terms if t.token == "head torch"]
    assert joined
    assert {"headlamp", "头灯"} <= joined[0].variants
    assert "head" not in [t.token for t in terms]
    assert [t.token for t in query_terms("shower head")] == ["shower", "head"]
