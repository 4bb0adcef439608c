"""Engine fixtures: the real builtin NLU and MongoDB, with an in-memory shop behind the ports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.terminal.runner import ChatRunner, TurnOutput
from core.mongo import Database
from dialogs.engine import DialogConfig, DialogEngine, DialogServices
from dialogs.faq import FaqService
from dialogs.handoff import HandoffService
from dialogs.outbound import Outbound
from dialogs.state import ConversationStore
from dialogs.transcript import Transcript
from tests.dialogs.fake_shop import FakeShop


@pytest.fixture(scope="session")
def nlu(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from nlu.builtin import BuiltinNluEngine

    engine = BuiltinNluEngine(Path(tmp_path_factory.mktemp("nlu")))
    engine.update_vocabulary(
        products=[
            "无线蓝牙耳机",
            "蓝牙耳机",
            "耳机",
            "运动跑鞋",
            "跑鞋",
            "保温杯",
            "降噪耳机",
            "earbuds",
            "running shoes",
            "mug",
            "headphones",
        ],
        brands=["Acme"],
        categories=["audio", "shoes"],
    )
    return engine


def make_engine(db: Database, shop: Any, nlu: Any) -> DialogEngine:
    transcript = Transcript(db)
    outbound = Outbound(transcript)
    store = ConversationStore(db)
    services = DialogServices(
        shop=shop,
        nlu=nlu,
        store=store,
        transcript=transcript,
        faq=FaqService(db),
        handoff=HandoffService(store, outbound),
        outbound=outbound,
        config=DialogConfig(),
    )
    return DialogEngine(services)


@pytest.fixture
def shop() -> FakeShop:
    return FakeShop()


@pytest.fixture
def engine(db: Database, shop: FakeShop, nlu: Any) -> DialogEngine:
    return make_engine(db, shop, nlu)


class Chat:
    """Type lines as a customer; inspect replies."""

    def __init__(self, runner: ChatRunner) -> None:
        self.runner = runner
        self.last: TurnOutput | None = None

    async def __call__(self, line: str) -> TurnOutput:
        output = await self.runner.run_line(line)
        assert output is not None
        self.last = output
        return output

    @staticmethod
    def text(output: TurnOutput) -> str:
        from dialogs.render import render_as_text

        return render_as_text(output.replies, "zh")


@pytest.fixture
def chat(engine: DialogEngine, shop: FakeShop) -> Chat:
    return Chat(ChatRunner(engine, shop, shop, user="u1"))
