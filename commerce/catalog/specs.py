"""Display labels for common SKU spec keys and values, in both languages.

Imports keep spec keys/values exactly as given ({"color": "black"} or {"颜色": "黑色"}); these
tables only add a bilingual label next to them so a reply can say "颜色: 黑色" to a Chinese
shopper and "Color: Black" to an English one, and so "black" also finds 黑色 in search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commerce.localized import LocalizedText

# Each entry: every accepted spelling of the key -> one bilingual label.
_KEY_LABELS: list[tuple[tuple[str, ...], LocalizedText]] = [
    (("color", "colour", "颜色", "色彩"), LocalizedText("颜色", "Color")),
    (("size", "尺码", "尺寸", "大小"), LocalizedText("尺码", "Size")),
    (("storage", "存储", "存储容量", "rom"), LocalizedText("存储", "Storage")),
    (("memory", "ram", "内存", "运行内存"), LocalizedText("内存", "Memory")),
    (("capacity", "容量", "volume"), LocalizedText("容量", "Capacity")),
    (("material", "材质", "面料"), LocalizedText("材质", "Material")),
    (("flavor", "flavour", "口味"), LocalizedText("口味", "Flavor")),
    (("weight", "net_weight", "重量", "净含量"), LocalizedText("规格重量", "Weight")),
    (("style", "款式"), LocalizedText("款式", "Style")),
    (("version", "版本"), LocalizedText("版本", "Version")),
    (("shade", "色号"), LocalizedText("色号", "Shade")),
    (("pack", "package", "包装", "规格"), LocalizedText("规格", "Pack")),
]

_VALUE_LABELS: list[tuple[tuple[str, ...], LocalizedText]] = [
    (("black", "黑色", "黑"), LocalizedText("黑色", "Black")),
    (("white", "白色", "白"), LocalizedText("白色", "White")),
    (("red", "红色", "红"), LocalizedText("红色", "Red")),
    (("blue", "蓝色", "蓝"), LocalizedText("蓝色", "Blue")),
    (("green", "绿色", "绿"), LocalizedText("绿色", "Green")),
    (("yellow", "黄色", "黄"), LocalizedText("黄色", "Yellow")),
    (("pink", "粉色", "粉红色", "粉"), LocalizedText("粉色", "Pink")),
    (("purple", "紫色", "紫"), LocalizedText("紫色", "Purple")),
    (("grey", "gray", "灰色", "灰"), LocalizedText("灰色", "Grey")),
    (("silver", "银色", "银"), LocalizedText("银色", "Silver")),
    (("gold", "金色", "金"), LocalizedText("金色", "Gold")),
    (("brown", "棕色", "咖啡色"), LocalizedText("棕色", "Brown")),
    (("orange", "橙色", "橙"), LocalizedText("橙色", "Orange")),
    (("navy", "藏青色", "藏青"), LocalizedText("藏青色", "Navy")),
    (("beige", "米色", "米白色"), LocalizedText("米色", "Beige")),
]


def _index(table: list[tuple[tuple[str, ...], LocalizedText]]) -> dict[str, LocalizedText]:
    return {alias.casefold(): label for aliases, label in table for alias in aliases}


KEY_LABELS = _index(_KEY_LABELS)
VALUE_LABELS = _index(_VALUE_LABELS)


@dataclass(frozen=True, slots=True)
class SpecLabel:
    """One spec of a SKU, raw and labelled for display."""

    key: str
    value: str
    key_label: LocalizedText
    value_label: LocalizedText

    def to_doc(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": self.value,
            "key_label": self.key_label.to_doc(),
            "value_label": self.value_label.to_doc(),
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> SpecLabel:
        return cls(
            str(doc["key"]),
            str(doc["value"]),
            LocalizedText.from_doc(doc.get("key_label")),
            LocalizedText.from_doc(doc.get("value_label")),
        )

    def format(self, lang: str | None) -> str:
        return f"{self.key_label.get(lang)}: {self.value_label.get(lang)}"


def label_key(key: str) -> LocalizedText:
    """Known keys get both languages; unknown keys are shown as given in both."""
    return KEY_LABELS.get(key.strip().casefold()) or LocalizedText.same(key)


def label_value(value: str) -> LocalizedText:
    return VALUE_LABELS.get(value.strip().casefold()) or LocalizedText.same(value)


def label_specs(specs: dict[str, str]) -> tuple[SpecLabel, ...]:
    return tuple(SpecLabel(k, v, label_key(k), label_value(v)) for k, v in specs.items())
