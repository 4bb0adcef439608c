"""Product pictures for the demo store, drawn with Pillow (no downloads, no hot-linking).

Each picture is deterministic for a product code: a pastel background, a simple silhouette for
the category (phone, headphones, T-shirt, shoe, ...) in a colour derived from the code, and the
product code in Pillow's built-in font.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 480
Color = tuple[int, int, int]


def _palette(code: str) -> tuple[Color, Color]:
    digest = hashlib.sha256(code.encode()).digest()
    main = (60 + digest[0] % 160, 60 + digest[1] % 160, 60 + digest[2] % 160)
    background = tuple(235 + (c % 20) for c in digest[3:6])
    return main, (background[0], background[1], background[2])


def _phone(d: ImageDraw.ImageDraw, c: Color) -> None:
    d.rounded_rectangle((160, 70, 320, 400), radius=28, fill=c)
    d.rounded_rectangle((175, 100, 305, 360), radius=10, fill=(250, 250, 250))
    d.ellipse((228, 370, 252, 394), fill=(250, 250, 250))


def _headphones(d: ImageDraw.ImageDraw, c: Color) -> None:
    d.arc((120, 80, 360, 340), start=180, end=360, fill=c, width=22)
    d.rounded_rectangle((100, 200, 170, 330), radius=24, fill=c)
    d.rounded_rectangle((310, 200, 380, 330), radius=24, fill=c)


def _accessory(d: ImageDraw.ImageDraw, c: Color) -> None:
    d.rounded_rectangle((150, 120, 330, 360), radius=36, fill=c)
    d.rectangle((215, 90, 265, 120), fill=c)
    d.polygon([(250, 160), (200, 250), (240, 250), (225, 320), (285, 220), (245, 220)], fill=(255, 230, 90))


def _shirt(d: ImageDraw.ImageDraw, c: Color) -> None:
    d.polygon(
        [
            (170, 90),
            (310, 90),
            (390, 150),
            (350, 200),
            (320, 180),
            (320, 390),
            (160, 390),
            (160, 180),
            (130, 200),
            (90, 150),
        ],
        fill=c,
    )
    d.chord((205, 70, 275, 130), start=0, end=180, fill=(250, 250, 250))


def _pants(d: ImageDraw.ImageDraw, c: Color) -> None:
    d.polygon([(160, 80), (320, 80), (345, 400), (265, 400), (240, 190), (215, 400), (135, 400)], fill=c)


def _shoe(d: ImageDraw.ImageDraw, c: Color) -> None:
    d.polygon([(100, 300), (110, 170), (190, 170), (230, 230), (360, 260), (390, 300)], fill=c)
    d.rounded_rectangle((90, 295, 400, 330), radius=14, fill=(70, 70, 70))


def _home(d: ImageDraw.ImageDraw, c: Color) -> None:
    d.polygon([(240, 80), (390, 210), (90, 210)], fill=c)
    d.rectangle((130, 210, 350, 390), fill=c)
    d.rectangle((215, 290, 265, 390), fill=(250, 250, 250))


def _beauty(d: ImageDraw.ImageDraw, c: Color) -> None:
    d.rectangle((200, 230, 280, 400), fill=(60, 60, 60))
    d.polygon([(205, 230), (205, 130), (275, 90), (275, 230)], fill=c)


def _food(d: ImageDraw.ImageDraw, c: Color) -> None:
    d.chord((110, 140, 370, 400), start=0, end=180, fill=c)
    d.rectangle((110, 260, 370, 275), fill=c)
    for x in (170, 240, 310):
        d.ellipse((x - 22, 200, x + 22, 260), fill=(240, 200, 120))


def _tea(d: ImageDraw.ImageDraw, c: Color) -> None:
    d.rounded_rectangle((150, 160, 310, 380), radius=30, fill=c)
    d.arc((280, 200, 370, 300), start=270, end=90, fill=c, width=18)
    d.arc((180, 60, 240, 150), start=90, end=270, fill=(160, 160, 160), width=6)


SHAPES: dict[str, Callable[[ImageDraw.ImageDraw, Color], None]] = {
    "phones": _phone,
    "audio": _headphones,
    "accessories": _accessory,
    "digital": _phone,
    "tops": _shirt,
    "apparel": _shirt,
    "bottoms": _pants,
    "shoes": _shoe,
    "home": _home,
    "beauty": _beauty,
    "snacks": _food,
    "food": _food,
    "drinks": _tea,
}


def render_product_image(code: str, category: str) -> bytes:
    """A PNG picture for a product (same bytes for the same code and category)."""
    main, background = _palette(code)
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    SHAPES.get(category, _home)(draw, main)
    draw.text((20, SIZE - 36), code, fill=(90, 90, 90))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_product_images(products: Iterable[tuple[str, str]], directory: Path, *, overwrite: bool = False) -> int:
    """Write `<code>.png` for each (code, category) into `directory`; returns files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = 0
    for code, category in products:
        target = directory / f"{code}.png"
        if target.exists() and not overwrite:
            continue
        target.write_bytes(render_product_image(code, category))
        written += 1
    return written
