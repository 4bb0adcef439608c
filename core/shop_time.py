"""Times shown to people: always in the shop's time zone, in one of a few fixed layouts.

Every place that renders a time for a person (admin pages, the console's live messages, chat
replies such as the tracking timeline, channel notifications) goes through `ShopClock`, so a
stored UTC time never reaches a screen unconverted. The layouts are numeric (2026-12-07 09:30),
which reads the same in Chinese and English.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from core.mongo import as_utc

TimeStyle = Literal["datetime", "seconds", "date", "time", "short"]
LAYOUTS: dict[TimeStyle, str] = {
    "datetime": "%Y-%m-%d %H:%M",
    "seconds": "%Y-%m-%d %H:%M:%S",
    "date": "%Y-%m-%d",
    "time": "%H:%M",
    "short": "%m-%d %H:%M",
}
DEFAULT_ZONE = "Asia/Shanghai"


class ShopClock:
    def __init__(self, timezone: str = DEFAULT_ZONE) -> None:
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)

    def local(self, value: datetime) -> datetime:
        """A stored time (UTC, naive values read as UTC) in the shop's zone."""
        return as_utc(value).astimezone(self.zone)

    def format(self, value: datetime | None, style: TimeStyle = "datetime") -> str:
        return self.local(value).strftime(LAYOUTS[style]) if value else ""
