"""The step a conversation is on tells the NLU what it expects (issue #14: step-first reading)."""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.engine import DialogEngine
from dialogs.flows.base import Flow
from dialogs.registry import FLOWS
from dialogs.router import expected_intents
from dialogs.state import ConversationState
from nlu.engine import ParseResult
from tests.dialogs.conftest import Chat


class RecordingNlu:
    """The real engine, remembering what each parse was told to expect."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.expected: list[frozenset[str] | None] = []

    async def parse(
        self, text: str, *, lang_hint: str | None = None, expected_intents: frozenset[str] | None = None
    ) -> ParseResult:
        self.expected.append(expected_intents)
        result: ParseResult = await self.inner.parse(text, lang_hint=lang_hint, expected_intents=expected_intents)
        return result

    def update_vocabulary(self, *args: Any, **kwargs: Any) -> None:
        self.inner.update_vocabulary(*args, **kwargs)


@pytest.fixture
def recording(engine: DialogEngine, nlu: Any) -> RecordingNlu:
    recorder = RecordingNlu(nlu)
    engine.services.nlu = recorder
    return recorder


async def test_outside_a_flow_nothing_is_expected(chat: Chat, recording: RecordingNlu) -> None:
    await chat("保温杯来一个")
    assert recording.expected[-1] is None


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_coupon_step_expects_yes_no_skip_and_a_code(chat: Chat, recording: RecordingNlu, lang: str) -> None:
    if lang == "zh":
        lines = ["保温杯来一个", "结账", "张三 13800138000 上海市浦东新区世纪大道100号", "快递", "随便"]
    else:
        lines = [
            "one insulated mug please",
            "checkout",
            "John Smith, 13800138000, 100 Century Ave, Shanghai",
            "standard",
        ]
        lines.append("whatever")
    out = None
    for line in lines:
        out = await chat(line)
    assert out is not None
    expected = recording.expected[-1]
    assert expected is not None
    assert {"affirm", "deny", "use_coupon"} <= expected


def test_every_flow_step_that_reads_yes_or_no_tells_the_nlu() -> None:
    state = ConversationState(id="terminal:u1", channel="terminal", channel_user_id="u1")
    for name, step in [("checkout", "confirm"), ("checkout", "coupon"), ("confirm", "ask"), ("aftersales", "photos")]:
        flow: Flow = FLOWS[name]
        state.flow, state.step = name, step
        assert {"affirm", "deny"} <= (expected_intents(flow, state) or frozenset()), (name, step)
    state.flow, state.step = "aftersales", "reason"
    assert expected_intents(FLOWS["aftersales"], state) is None  # free text: nothing to favour
