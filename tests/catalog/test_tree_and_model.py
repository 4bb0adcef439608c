from commerce.catalog.model import Category, Product, ProductStatus, Sku, SkuSnapshot
from commerce.catalog.tree import build_tree, compute_paths, descendants, find_cycle
from commerce.localized import LocalizedText
from commerce.money import Money


def test_paths_from_root() -> None:
    paths = compute_paths({"digital": None, "phones": "digital", "cases": "phones"})
    assert paths == {"digital": ("digital",), "phones": ("digital", "phones"), "cases": ("digital", "phones", "cases")}


def test_cycles_are_found_and_left_out_of_paths() -> None:
    parents = {"a": "b", "b": "c", "c": "a", "d": None, "e": "a"}
    assert find_cycle("a", parents) == ["a", "b", "c", "a"]
    assert find_cycle("e", parents) == ["a", "b", "c", "a"]
    assert find_cycle("d", parents) is None
    assert find_cycle("x", {"x": "x"}) == ["x", "x"]
    assert compute_paths(parents) == {"d": ("d",)}


def test_tree_and_descendants() -> None:
    cats = [
        Category("digital", LocalizedText("数码", "Digital"), None, 1, ("digital",)),
        Category("audio", LocalizedText("耳机音响", "Audio"), "digital", 2, ("digital", "audio")),
        Category("phones", LocalizedText("手机", "Phones"), "digital", 1, ("digital", "phones")),
        Category("food", LocalizedText("食品", "Food"), None, 2, ("food",)),
    ]
    tree = build_tree(cats)
    assert [n.category.code for n in tree] == ["digital", "food"]
    assert [n.category.code for n in tree[0].children] == ["phones", "audio"]
    assert descendants("digital", cats) == {"digital", "audio", "phones"}
    assert tree[0].to_dict()["children"][0]["name"] == {"zh": "手机", "en": "Phones"}


def test_product_doc_round_trip_and_derived_prices() -> None:
    product = Product(
        code="P1",
        category="phones",
        title=LocalizedText("手机", "Phone"),
        skus=(
            Sku("P1-A", Money.parse("10.50", "CNY"), {"颜色": "黑色"}, compare_at_price=Money.parse("12", "CNY")),
            Sku("P1-B", Money.parse("9.99", "CNY"), {"颜色": "白色"}, tier_prices={"vip": Money.parse("9", "CNY")}),
        ),
        status=ProductStatus.DRAFT,
        images=("/media/products/P1.png",),
    )
    doc = product.to_doc()
    assert doc["price_min"] == 999
    assert doc["price_max"] == 1050
    assert doc["sku_codes"] == ["P1-A", "P1-B"]
    assert Product.from_doc(doc).to_doc() == doc
    assert Product.from_doc(doc).skus == product.skus
    snapshot = SkuSnapshot.of(product, product.skus[1])
    assert snapshot.price == Money(999, "CNY")
    assert snapshot.price_for("vip") == Money(900, "CNY")
    assert snapshot.price_for("gold") == snapshot.price
    assert not snapshot.purchasable
    assert snapshot.image == "/media/products/P1.png"
    assert snapshot.describe_specs("en") == "White"
