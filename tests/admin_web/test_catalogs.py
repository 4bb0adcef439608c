"""The admin message catalogs: both languages have the same keys and placeholders, and every
key the templates and code use exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from admin_web.i18n import LANGS, catalog, pick_language, translate

ROOT = Path(__file__).resolve().parents[2] / "admin_web"
STATIC_KEY = re.compile(r"""\b(?:t|translate\([a-z]+,)\s*\(?\s*["']([a-z_]+\.[a-z_0-9.]+)["']""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    zh, en = catalog("zh"), catalog("en")
    assert set(zh) == set(en)
    for key in zh:
        assert _fields(zh[key]) == _fields(en[key]), key


def test_every_key_used_exists() -> None:
    used: set[str] = set()
    for path in [*ROOT.rglob("*.html"), *ROOT.rglob("*.py")]:
        used |= set(STATIC_KEY.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 100
    used = {key for key in used if not key.endswith(("_", "."))}  # prefixes completed at run time
    missing = {key for key in used for lang in LANGS if key not in catalog(lang)}
    assert not missing


def test_keys_built_from_data_exist() -> None:
    from admin_web.views.aftersales import ACTIONS
    from admin_web.web import NAV
    from commerce.aftersales.model import AfterSaleKind, AfterSaleStatus
    from commerce.api.principal import Role
    from commerce.catalog.model import ProductStatus
    from commerce.orders.model import OrderStatus

    keys = {f"aftersales.action_{name}" for name in ACTIONS} | {f"nav.{key}" for key, _, _ in NAV}
    keys |= {f"order_status.{s.value}" for s in OrderStatus} | {f"product_status.{s.value}" for s in ProductStatus}
    keys |= {f"aftersale_status.{s.value}" for s in AfterSaleStatus} | {
        f"aftersale_kind.{k.value}" for k in AfterSaleKind
    }
    keys |= {f"role.{r.value}" for r in Role}
    for lang in LANGS:
        assert not keys - set(catalog(lang)), lang


def test_language_choice() -> None:
    assert pick_language(None, "en-US,en;q=0.9") == "en"
    assert pick_language(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert pick_language("en", "zh-CN") == "en"
    assert pick_language("xx", None) == "zh"
    assert translate("en", "console.waited", minutes=2, seconds=5) == "waiting 2m 5s"
