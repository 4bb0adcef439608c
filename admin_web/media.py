"""Product image uploads: validated with Pillow, stored under <data_dir>/media with a thumbnail.

The stored files are re-encoded (which drops EXIF data such as GPS positions and anything
smuggled after the image data), limited in size, and served by the app's /media route.
"""

from __future__ import annotations

import asyncio
import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from commerce.errors import ValidationFailed

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit
FULL_SIZE = 1600
THUMB_SIZE = 320
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True, slots=True)
class StoredImage:
    url: str
    thumbnail_url: str
    width: int
    height: int


def thumbnail_url(url: str) -> str:
    """The thumbnail of an uploaded image (other URLs are shown as they are)."""
    if url.startswith("/media/products/") and url.endswith(".jpg") and not url.endswith("_thumb.jpg"):
        return url[: -len(".jpg")] + "_thumb.jpg"
    return url


class MediaStore:
    def __init__(self, media_dir: Path, url_prefix: str = "/media") -> None:
        self.media_dir = media_dir
        self.url_prefix = url_prefix.rstrip("/")

    async def save_product_image(self, product_code: str, data: bytes) -> StoredImage:
        if not _SAFE.match(product_code):
            raise ValidationFailed("invalid product code", details={"field": "code"})
        if not data:
            raise ValidationFailed("the file is empty", details={"field": "image"})
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValidationFailed("images may be at most 8 MB", details={"field": "image"})
        name = secrets.token_hex(8)
        folder = self.media_dir / "products" / product_code
        width, height = await asyncio.to_thread(self._process, data, folder, name)
        base = f"{self.url_prefix}/products/{product_code}/{name}"
        return StoredImage(url=f"{base}.jpg", thumbnail_url=f"{base}_thumb.jpg", width=width, height=height)

    @staticmethod
    def _process(data: bytes, folder: Path, name: str) -> tuple[int, int]:
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise ValidationFailed("use a JPEG, PNG, WebP or GIF image", details={"field": "image"})
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationFailed("the image has too many pixels", details={"field": "image"})
                probe.verify()
            with Image.open(io.BytesIO(data)) as source:
                image = ImageOps.exif_transpose(source).convert("RGB")
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
            raise ValidationFailed("the file is not a readable image", details={"field": "image"}) from None
        folder.mkdir(parents=True, exist_ok=True)
        full = image.copy()
        full.thumbnail((FULL_SIZE, FULL_SIZE))
        full.save(folder / f"{name}.jpg", "JPEG", quality=88, optimize=True)
        thumb = image.copy()
        thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
        thumb.save(folder / f"{name}_thumb.jpg", "JPEG", quality=82, optimize=True)
        return full.width, full.height
