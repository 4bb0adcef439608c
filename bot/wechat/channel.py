"""Wiring of the WeChat channel: one object holding its parts, and `setup_wechat` for the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from bot.wechat import inbox as inbox_module
from bot.wechat import oauth as oauth_module
from bot.wechat import replay, tokens, users
from bot.wechat.api import WeChatApi
from bot.wechat.config import WeChatConfig
from bot.wechat.endpoint import WeChatEndpoint
from bot.wechat.inbox import Inbox
from bot.wechat.links import Links
from bot.wechat.notifier import EVENT_TYPES, CustomerLookup, WeChatTemplateNotifier
from bot.wechat.oauth import CustomerLinker, WeChatOAuth, WeChatSession
from bot.wechat.processor import DialogPort, WeChatProcessor
from bot.wechat.product_page import ProductPage, ProductSource
from bot.wechat.sender import WeChatSender
from bot.wechat.users import WeChatUsers
from commerce.orders.events import EventBus
from core.mongo import CollectionIndexes, Database, ensure_indexes
from core.shop_time import ShopClock
from dialogs.outbound import Outbound

INDEXES: list[CollectionIndexes] = [
    *inbox_module.INDEXES,
    *replay.INDEXES,
    *users.INDEXES,
    *tokens.INDEXES,
    *oauth_module.INDEXES,
]


@dataclass
class WeChatChannel:
    config: WeChatConfig
    db: Database
    api: WeChatApi
    users: WeChatUsers
    links: Links
    processor: WeChatProcessor
    endpoint: WeChatEndpoint
    sender: WeChatSender
    oauth: WeChatOAuth
    session: WeChatSession
    notifier: WeChatTemplateNotifier

    def routes(self) -> list[web.RouteDef]:
        return [*self.endpoint.routes(), *self.oauth.routes()]

    async def ensure_indexes(self) -> None:
        await ensure_indexes(
            self.db,
            [
                *inbox_module.inbox_indexes(self.config.inbox_ttl_seconds),
                *replay.INDEXES,
                *users.INDEXES,
                *oauth_module.INDEXES,
            ],
        )

    async def close(self) -> None:
        await self.processor.close()
        await self.api.close()


class WeChatCustomers(CustomerLinker, CustomerLookup, Protocol):
    """What the channel needs from `commerce.customers.service.CustomerService`."""


def build_channel(
    config: WeChatConfig,
    *,
    db: Database,
    dialogs: DialogPort,
    customers: WeChatCustomers,
    api: WeChatApi | None = None,
    clock: ShopClock | None = None,
) -> WeChatChannel:
    """The channel's parts assembled over the dialog engine and the customer service."""
    api = api or WeChatApi(
        db,
        app_id=config.app_id,
        app_secret=config.app_secret,
        api_base=config.api_base,
        timeout_seconds=config.api_timeout_seconds,
    )
    wechat_users = WeChatUsers(db, window_seconds=config.service_window_seconds)
    links = Links(config.base_url, oauth=config.oauth_product_links)
    inbox = Inbox(db, lease_seconds=max(5.0, config.reply_budget_seconds * 2))
    processor = WeChatProcessor(
        dialogs=dialogs,
        api=api,
        inbox=inbox,
        users=wechat_users,
        links=links,
        budget_seconds=config.reply_budget_seconds,
    )
    session = WeChatSession(config.app_secret)
    return WeChatChannel(
        config=config,
        db=db,
        api=api,
        users=wechat_users,
        links=links,
        processor=processor,
        endpoint=WeChatEndpoint(config, processor, replay.NonceGuard(db)),
        sender=WeChatSender(processor, wechat_users, links, dialogs.language_of),
        oauth=WeChatOAuth(
            db,
            api=api,
            customers=customers,
            users=wechat_users,
            session=session,
            app_id=config.app_id,
            base_url=config.base_url,
            oauth_base=config.oauth_base,
        ),
        session=session,
        notifier=WeChatTemplateNotifier(
            api=api, users=wechat_users, customers=customers, templates=config.templates, clock=clock
        ),
    )


WECHAT_CHANNEL: web.AppKey[WeChatChannel] = web.AppKey("wechat_channel", WeChatChannel)


def mount_product_page(app: web.Application, products: ProductSource, links: Links) -> None:
    app.router.add_routes(ProductPage(products, links).routes())


def setup_wechat(app: web.Application, channel: WeChatChannel, *, outbound: Outbound, events: EventBus) -> None:
    """Mount `/wechat` + OAuth, register the sender and the template notifier, and the
    start-up/clean-up hooks (the product pages are mounted apart: `mount_product_page`)."""
    app.router.add_routes(channel.routes())
    app[WECHAT_CHANNEL] = channel
    outbound.register("wechat", channel.sender)
    events.subscribe(channel.notifier, types=EVENT_TYPES)

    async def on_startup(_: web.Application) -> None:
        await channel.ensure_indexes()

    async def on_cleanup(_: web.Application) -> None:
        await channel.close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
