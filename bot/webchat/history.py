"""The conversation history a reopened web chat shows, from the stored transcript.

Customer messages are stored for the console ("[p:P112] Details", "[image x1] ..."): the page
gets what the customer saw instead - the button's label, the photos, the text. The bot's and
agents' messages are stored whole (their payload) and are drawn exactly as they were live.
"""

from __future__ import annotations

import re
from typing import Any

from dialogs.transcript import TranscriptEntry

HISTORY_LIMIT = 50
_IMAGE_PREFIX = re.compile(r"^\[image x\d+\]\s*")


def customer_text(entry: TranscriptEntry) -> str:
    """What the customer typed or pressed, without the transcript's internal markers."""
    text = entry.text
    if entry.kind == "button":
        marker = f"[{entry.payload}] " if isinstance(entry.payload, str) else ""
        if marker and text.startswith(marker):
            return text[len(marker) :]
        return re.sub(r"^\[[^\]]*\]\s*", "", text)
    if entry.kind == "image":
        return _IMAGE_PREFIX.sub("", text)
    return text


def history_item(entry: TranscriptEntry) -> dict[str, Any] | None:
    """One message for the page, or None for what a customer never saw as a message (/start)."""
    if entry.direction == "in":
        if entry.kind == "command" and entry.text.strip().lower() in ("/start", "/lang zh", "/lang en"):
            return None
        return {
            "who": "customer",
            "text": customer_text(entry),
            "images": [url for url in entry.images if url.startswith("/media/chat/")],
        }
    if entry.payload is None or "type" not in entry.payload:
        return {"who": entry.sender, "reply": {"type": "text", "text": entry.text}}
    return {"who": entry.sender, "reply": entry.payload}


def history_frame(entries: list[TranscriptEntry]) -> dict[str, Any]:
    items = [item for item in (history_item(entry) for entry in entries) if item is not None]
    return {"type": "history", "messages": items}
