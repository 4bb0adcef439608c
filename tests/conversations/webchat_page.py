"""Driving and measuring the web chat page in a real browser (used by the browser tests).

`ChatPage` acts as a customer does: types into the box and presses Enter, clicks the buttons
it sees by their label. Each action waits for the server's answer (the page counts the frames
it receives in `#log[data-frames]`). The `*_problems` functions measure the rendered page and
return what a customer would find wrong (empty when all is well).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dialogs.i18n import load_catalog
from dialogs.messages import Lang

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ANSWER_TIMEOUT_MS = 20_000

# Internal markers that must never reach a customer: button payloads ("[p:P112]"), transcript
# notes ("[image x1]", "[photos:done]"), unfilled template fields ("{number}").
RAW_CODE = re.compile(r"\[[a-z_]{1,20}:[^\]\s]*\]|\[image x\d+\]|\{[a-z_]+\}|\bNone\b|Σ")


# overflow(), contrast(), unlabelled(): run in the page by `page.evaluate`.
MEASURE_JS = (Path(__file__).parent / "webchat_measure.js").read_text(encoding="utf-8")


def _measure(name: str) -> str:
    return f"() => ({MEASURE_JS.strip().rstrip(';')}).{name}()"


def catalog_keys() -> set[str]:
    """Every message key of both catalogs ("cart.empty", "webchat.send"...)."""
    return set(load_catalog("zh")) | set(load_catalog("en"))


def text(key: str, lang: Lang) -> str:
    value = load_catalog(lang)[key]
    return value if isinstance(value, str) else value[0]


def pattern(key: str, lang: Lang) -> re.Pattern[str]:
    """A catalog text as a pattern: its fixed parts in order, any value in its fields."""
    template = text(key, lang)
    return re.compile(".*?".join(re.escape(part) for part in re.split(r"\{[a-z_]+\}", template)), re.DOTALL)


class ChatPage:
    def __init__(self, page: Any, lang: Lang) -> None:
        self.page = page
        self.lang = lang

    async def frames(self) -> int:
        return int(await self.page.locator("#log").get_attribute("data-frames") or "0")

    async def _answered(self, before: int, at_least: int = 1) -> None:
        await self.page.wait_for_function(
            f"() => Number(document.getElementById('log').dataset.frames) >= {before + at_least}",
            timeout=ANSWER_TIMEOUT_MS,
        )

    async def say(self, message: str) -> None:
        before = await self.frames()
        await self.page.fill("#text", message)
        await self.page.press("#text", "Enter")
        await self._answered(before)

    async def press(self, label: str, *, within: Any = None) -> None:
        """Click the newest button showing `label` (the customer taps what is on screen)."""
        before = await self.frames()
        root = within if within is not None else self.page.locator("#log")
        await root.locator(".btn", has_text=label).last.click()
        await self._answered(before)

    async def press_payload(self, prefix: str) -> None:
        before = await self.frames()
        await self.page.locator(f'#log button.btn[data-payload^="{prefix}"]').last.click()
        await self._answered(before)

    async def wait_for_text(self, needle: str | re.Pattern[str], timeout: int = ANSWER_TIMEOUT_MS) -> None:
        await self.page.locator("#log .msg", has_text=needle).last.wait_for(timeout=timeout)

    async def last_of(self, kind: str) -> Any:
        return self.page.locator(f'#log .msg[data-type="{kind}"]').last

    async def log_text(self) -> str:
        return str(await self.page.locator("#log").inner_text())


async def overflow_problems(page: Any) -> tuple[list[str], int]:
    result = await page.evaluate(_measure("overflow"))
    return list(result["problems"]), int(result["count"])


async def text_problems(page: Any, keys: set[str]) -> list[str]:
    """Raw internal codes or untranslated catalog keys in what the chat shows."""
    shown = str(await page.locator("#log").inner_text())
    problems = [f"raw code {match.group(0)!r}" for match in RAW_CODE.finditer(shown)]
    words = set(re.findall(r"\b[a-z_]+(?:\.[a-z0-9_]+)+\b", shown))
    problems += [f"untranslated key {word!r}" for word in sorted(words & keys)]
    return problems


async def contrast_problems(page: Any) -> list[str]:
    results = await page.evaluate(_measure("contrast"))
    return [f"{r['text']!r}: {r['ratio']:.2f}:1" for r in results if r["ratio"] < 4.5]


async def unlabelled_controls(page: Any) -> list[str]:
    return list(await page.evaluate(_measure("unlabelled")))
