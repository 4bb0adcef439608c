"""The simulated customers' shop: the outsider catalog (tests/conversations/outsider) with
deep stock, so a thousand customers buying the same SKU test the dialogs, not the
warehouse; sold-out SKUs stay sold out. Coupons as the outsider shop advertises them."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.conversations.outsider_corpus import CATALOG
from tests.simulation.catalog_view import Product, products_of

DEEP_STOCK = 1_000_000

# What shoppers call the products (besides their titles), per language.
ALIASES: dict[str, dict[str, list[str]]] = {
    "K1": {"zh": ["平底锅", "不粘锅", "煎锅"], "en": ["frying pan", "nonstick pan", "skillet"]},
    "K2": {"zh": ["珐琅锅", "铸铁锅"], "en": ["dutch oven", "cast iron pot", "enamel pot"]},
    "K3": {"zh": ["保温杯", "保温水杯"], "en": ["tumbler", "thermos", "insulated cup"]},
    "K4": {"zh": ["马克杯", "陶瓷杯"], "en": ["mug", "coffee mug"]},
    "K5": {"zh": ["厨师刀", "菜刀"], "en": ["chef knife", "kitchen knife"]},
    "K6": {"zh": ["硅胶铲", "铲勺套装"], "en": ["utensil set", "silicone spatulas"]},
    "K7": {"zh": ["手冲壶", "咖啡壶"], "en": ["pour over kettle", "gooseneck kettle"]},
    "K8": {"zh": ["砧板", "菜板"], "en": ["cutting board", "chopping board"]},
    "O1": {"zh": ["帐篷", "双人帐"], "en": ["tent", "2 person tent"]},
    "O2": {"zh": ["折叠椅", "露营椅"], "en": ["camp chair", "folding chair"]},
    "O3": {"zh": ["登山包", "背包"], "en": ["backpack", "hiking pack"]},
    "O4": {"zh": ["头灯"], "en": ["headlamp", "head torch"]},
    "O5": {"zh": ["睡袋"], "en": ["sleeping bag"]},
    "O6": {"zh": ["水壶", "运动水杯"], "en": ["water bottle", "bottle"]},
    "O8": {"zh": ["冰袖", "防晒袖套"], "en": ["arm sleeves", "sun sleeves"]},
    "M1": {"zh": ["洁面乳", "洗面奶"], "en": ["cleanser", "face wash"]},
    "M2": {"zh": ["精华", "玻尿酸"], "en": ["serum", "hyaluronic serum"]},
    "M3": {"zh": ["防晒霜", "防晒"], "en": ["sunscreen", "sunblock"]},
    "M4": {"zh": ["口红", "唇膏"], "en": ["lipstick"]},
    "M5": {"zh": ["面霜"], "en": ["moisturiser", "face cream"]},
    "M6": {"zh": ["眼影盘", "眼影"], "en": ["eyeshadow palette", "eyeshadow"]},
    "M7": {"zh": ["化妆刷", "刷子套装"], "en": ["brush set", "makeup brushes"]},
    "M8": {"zh": ["卸妆水"], "en": ["micellar water", "makeup remover"]},
}
COUPONS = {"SUMMER20": 100.0, "CAMP10": 0.0}  # code -> subtotal it needs


def sim_catalog() -> dict[str, Any]:
    catalog: dict[str, Any] = copy.deepcopy(json.loads(CATALOG.read_text("utf-8")))
    for product in catalog["products"]:
        for sku in product["skus"]:
            if sku["stock"] > 0:
                sku["stock"] = DEEP_STOCK
    return catalog


def sim_products() -> list[Product]:
    return products_of(sim_catalog())


async def stock_the_shop(container: Any) -> None:
    """Import the catalog and coupons into a running container and teach the NLU the names."""
    from chatcart.bootstrap import refresh_nlu_vocabulary
    from commerce.promotions.service import CouponIn

    report = await container.commerce.catalog.import_catalog(sim_catalog())
    assert report.ok, report
    promotions = container.commerce.promotions
    await promotions.create(CouponIn(code="SUMMER20", kind="fixed", value="20.00", min_subtotal="100.00"))
    await promotions.create(CouponIn(code="CAMP10", kind="percent", value="10"))
    await refresh_nlu_vocabulary(container)
