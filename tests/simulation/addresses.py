"""Shipping addresses in the shapes customers paste them: one line, comma separated, labelled
WeChat/Taobao/JD blocks over several lines, English "Name: ..., phone ..." forms."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tests.simulation.lexicon import NAMES_EN, NAMES_ZH, PLACES


@dataclass
class Address:
    name: str
    phone: str
    text: str  # the message the customer sends
    style: str
    region: str  # what they answer to "which city?"


def draw_address(lang: str, rng: random.Random) -> Address:
    phone = "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))
    province, city, district, street_zh, street_en, district_en, city_en = rng.choice(PLACES)
    if lang == "zh":
        name = rng.choice(NAMES_ZH)
        region = province + (city if city != province else "") + district
        spaced = " ".join(dict.fromkeys([province, city, district]))
        postcode = "".join(rng.choice("0123456789") for _ in range(6))
        styles = {
            "one_line": f"{name} {phone} {region}{street_zh}",
            "commas": f"{name}，{phone}，{spaced} {street_zh}",
            "taobao": f"{name}，86-{phone}，{spaced} {street_zh}，{postcode}",
            "wechat_block": f"收货人：{name}\n手机号码：{phone}\n所在地区：{spaced}\n详细地址：{street_zh}",
            "wechat_line": f"收货人: {name} 手机号码: {phone} 所在地区: {spaced} 详细地址: {street_zh}",
            "jd_block": f"{name}\n{phone}\n{region}{street_zh}",
            "address_first": f"{region}{street_zh} {name} 收 {phone}",
            "plus86": f"{name} +86 {phone[:3]} {phone[3:7]} {phone[7:]} {region}{street_zh}",
        }
    else:
        name = rng.choice(NAMES_EN)
        street = f"{street_en}, {district_en}, {city_en}"
        styles = {
            "one_line": f"{name} {phone} {street}",
            "commas": f"{name}, {phone}, {street}",
            "labelled": f"Name: {name}, phone {phone}, address: {street}",
            "slashes": f"{name} / {phone} / {street}",
            "block": f"{name}\n+86 {phone}\n{street_en}\n{district_en}, {city_en}",
            "recipient_first": f"ship to {name} at {street}, tel {phone}",
        }
    style = rng.choice(sorted(styles))
    region = (province + (city if city != province else "") + district) if lang == "zh" else f"{district_en}, {city_en}"
    return Address(name, phone, styles[style], style, region)
