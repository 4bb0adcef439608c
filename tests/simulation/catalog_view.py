"""What a shopper knows about the shop: product names and option words in both languages.

Built from a catalog in the import format (README). A shopper names a product by a short
form of its title in the conversation's language and an option by the word they would use
("white", "白的", "the 500 one"), whatever language the shop wrote its spec values in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Option words a shopper might type for a spec value, per language. The shop's own value is
# always one of the choices; these are what people write instead.
OPTION_WORDS: dict[str, dict[str, list[str]]] = {
    "白色": {"zh": ["白色", "白的", "白"], "en": ["white"]},
    "黑色": {"zh": ["黑色", "黑的", "黑"], "en": ["black"]},
    "樱花粉": {"zh": ["樱花粉", "粉色", "粉的"], "en": ["pink", "sakura pink"]},
    "卡其色": {"zh": ["卡其色", "卡其"], "en": ["khaki"]},
    "蓝色": {"zh": ["蓝色", "蓝的"], "en": ["blue"]},
    "正红": {"zh": ["正红", "正红色"], "en": ["true red", "classic red"]},
    "豆沙色": {"zh": ["豆沙色", "豆沙"], "en": ["rosewood", "dusty rose"]},
    "小号": {"zh": ["小号", "小的"], "en": ["small"]},
    "大号": {"zh": ["大号", "大的"], "en": ["large", "big"]},
    "red": {"zh": ["红色", "红的"], "en": ["red"]},
    "cream": {"zh": ["奶油色", "米白"], "en": ["cream"]},
    "grey": {"zh": ["灰色", "灰的"], "en": ["grey", "gray"]},
    "mint green": {"zh": ["薄荷绿", "浅绿"], "en": ["mint green", "mint"]},
    "olive": {"zh": ["军绿色", "橄榄绿"], "en": ["olive", "olive green"]},
    "sand": {"zh": ["沙色", "沙漠色"], "en": ["sand"]},
    "blue": {"zh": ["蓝色", "蓝的"], "en": ["blue"]},
    "black": {"zh": ["黑色", "黑的"], "en": ["black"]},
    "warm nude": {"zh": ["暖色", "大地色"], "en": ["warm nude", "nude"]},
    "smoky grey": {"zh": ["烟灰色", "烟熏灰"], "en": ["smoky grey", "smoky gray", "smokey"]},
}

_UNIT_WORDS = {"ml": {"zh": ["毫升", "ml"], "en": ["ml"]}, "l": {"zh": ["升", "L"], "en": ["L", " litre", " liter"]}}


@dataclass
class Sku:
    sku: str
    specs: dict[str, str]
    stock: int
    price: float = 0.0


@dataclass
class Product:
    code: str
    title: dict[str, str]
    skus: list[Sku] = field(default_factory=list)

    @property
    def option_keys(self) -> list[str]:
        """Spec names with more than one value: the options a shopper must choose."""
        keys: list[str] = []
        for sku in self.skus:
            for key in sku.specs:
                values = {s.specs.get(key) for s in self.skus}
                if len(values) > 1 and key not in keys:
                    keys.append(key)
        return keys

    def in_stock(self) -> list[Sku]:
        return [s for s in self.skus if s.stock > 0]


def products_of(catalog: dict[str, Any]) -> list[Product]:
    return [
        Product(
            p["code"],
            p["title"],
            [Sku(s["sku"], dict(s.get("specs", {})), int(s.get("stock", 0)), float(s["price"])) for s in p["skus"]],
        )
        for p in catalog["products"]
    ]


def short_names(product: Product, lang: str) -> list[str]:
    """How a shopper names the product from its title alone: the full title, and in English its
    last two words (the thing itself). Chinese titles are not cut (no word boundaries); the
    shop's ALIASES hold what people call the products."""
    title = product.title[lang]
    names = [title]
    if lang == "en":
        words = [w for w in re.split(r"\s+", title) if w]
        if len(words) > 2:
            names.append(" ".join(words[-2:]).lower())
        names.append(title.lower())
    return list(dict.fromkeys(names))


def option_words(value: str, lang: str) -> list[str]:
    """Words for one spec value in `lang`: colour names across languages, sizes with or
    without their unit ("500ml", "500毫升", "500")."""
    if value in OPTION_WORDS:
        return OPTION_WORDS[value][lang]
    match = re.fullmatch(r"(-?[\d.]+)\s*(ml|l|cm|°c)", value, re.IGNORECASE)
    if match:
        number, unit = match.group(1), match.group(2).lower()
        words = [value, number] if unit != "°c" else [value]
        if unit in _UNIT_WORDS:
            words += [number + word for word in _UNIT_WORDS[unit][lang]]
        if unit == "cm":
            words.append(number + ("厘米" if lang == "zh" else " cm"))
        return list(dict.fromkeys(words))
    return [value]
