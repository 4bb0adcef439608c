"""WebSocket frames of the web chat, validated with pydantic at the edge."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

MAX_FRAME_BYTES = 16_384
MAX_TEXT_CHARS = 2000  # the page counts down to it and says so; the server answers "too_long"


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Hello(_Frame):
    type: Literal["hello"]
    token: str | None = Field(default=None, max_length=128)
    lang: Literal["zh", "en"] | None = None


class SayText(_Frame):
    type: Literal["text"]
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)


class PressButton(_Frame):
    type: Literal["button"]
    payload: str = Field(min_length=1, max_length=64)
    label: str = Field(default="", max_length=64)


class SendImages(_Frame):
    type: Literal["image"]
    urls: list[Annotated[str, Field(max_length=300, pattern=r"^/media/chat/[A-Za-z0-9_-]+\.(jpg|png)$")]] = Field(
        min_length=1, max_length=6
    )
    text: str = Field(default="", max_length=500)


class OtpRequest(_Frame):
    type: Literal["otp_request"]
    identifier: str = Field(min_length=3, max_length=120)


class OtpVerify(_Frame):
    type: Literal["otp_verify"]
    identifier: str = Field(min_length=3, max_length=120)
    code: str = Field(min_length=4, max_length=8, pattern=r"^\d+$")


ClientFrame = Annotated[
    Hello | SayText | PressButton | SendImages | OtpRequest | OtpVerify, Field(discriminator="type")
]
CLIENT_FRAME: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)
