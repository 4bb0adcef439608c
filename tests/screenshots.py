"""Where the browser tests save the screens a person reads.

`make screenshots` points CHATCART_SCREENSHOTS_DIR at docs/screenshots (the README shows them);
an ordinary test run writes to a scratch folder, so running the suite never dirties the checkout
with screens that differ only in order numbers and times.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def screenshot_dir() -> Path:
    configured = os.environ.get("CHATCART_SCREENSHOTS_DIR")
    folder = Path(configured) if configured else Path(tempfile.gettempdir()) / "chatcart-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
