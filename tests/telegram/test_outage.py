"""Database outage in webhook mode (issue 17): the user is asked to try again later, once; the
update is not acknowledged (503), so Telegram redelivers it, and the redelivery after recovery
is processed rather than dropped as a duplicate."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.errors import ServerSelectionTimeoutError

from bot.telegram.dedup import UPDATES
from core.mongo import Database
from dialogs.i18n import t
from dialogs.messages import IncomingMessage, OutgoingMessage
from simulators.telegram_api import FakeTelegramAPI, UpdateFactory
from tests.telegram.conftest import ChannelFactory, ScriptedDialogs, WebhookFactory


@dataclass
class FlakyDatabaseDialogs(ScriptedDialogs):
    database_down: bool = True

    async def handle(self, incoming: IncomingMessage) -> list[OutgoingMessage]:
        if self.database_down:
            raise ServerSelectionTimeoutError("No servers found yet")
        return await super().handle(incoming)


async def test_outage_defers_the_update_and_its_redelivery_is_processed(
    make_channel: ChannelFactory,
    webhook: WebhookFactory,
    fake_api: FakeTelegramAPI,
    user: UpdateFactory,
    db: Database,
) -> None:
    dialogs = FlakyDatabaseDialogs()
    hook = await webhook(await make_channel(dialogs))
    update = user.text("hello")
    assert await hook.post(update) == 503
    assert await hook.post(update) == 503  # Telegram redelivers while the outage lasts
    [apology] = fake_api.sent(user.user_id)  # told once, not at every redelivery
    assert apology.params["text"] == t("error.unavailable", "en")
    assert await db[UPDATES].count_documents({}) == 0  # the claim was given back

    dialogs.database_down = False
    assert await hook.post(update) == 200
    assert fake_api.sent(user.user_id)[-1].params["text"] == "echo: text hello"
    assert await hook.post(update) == 200  # now a true duplicate
    assert len(dialogs.received) == 1  # processed exactly once
