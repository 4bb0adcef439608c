"""Admin read models: the lists and figures the admin pages show, each in a few database
commands, straight on the commerce collections (read-only: every change goes through the
commerce services).

The services answer a customer's or a single object's questions; the admin needs lists with
filters across customers, counts for a dashboard and joins for display (customer names next
to orders). Those live here so the domain services stay small. Indexes these queries need
are in `INDEXES` (created by `setup_admin` at start-up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import ASCENDING, DESCENDING, IndexModel

from commerce.mongo import CollectionIndexes, Database, Document, as_utc, utcnow

ORDERS = "orders"
CUSTOMERS = "customers"
CONVERSATIONS = "conversations"
INVENTORY = "inventory"
PRODUCTS = "products"
MESSAGES = "messages"
ORDER_NOTES = "admin_order_notes"

INDEXES = [
    CollectionIndexes(
        ORDERS,
        [
            # Dashboard: today's and the last days' paid orders; order list date filter.
            IndexModel([("paid_at", DESCENDING)], name="admin_paid_at", sparse=True),
            IndexModel([("created_at", DESCENDING)], name="admin_created_at"),
        ],
    ),
    CollectionIndexes(ORDER_NOTES, [IndexModel([("order_id", ASCENDING), ("at", DESCENDING)], name="order_at")]),
    CollectionIndexes(CUSTOMERS, [IndexModel([("phone", ASCENDING)], name="admin_phone", sparse=True)]),
    CollectionIndexes(
        CONVERSATIONS,
        [IndexModel([("handoff.status", ASCENDING), ("handoff.agent_id", ASCENDING)], name="admin_handoff_agent")],
    ),
    CollectionIndexes(
        MESSAGES,
        [IndexModel([("conversation_id", ASCENDING), ("sender", ASCENDING), ("at", DESCENDING)],
                    name="admin_conv_sender_at")],
    ),
]

# Chat channel -> the customer identity kind it creates (orders are found through customers).
CHANNEL_IDENTITY = {"webchat": "web_session", "telegram": "telegram", "wechat": "wechat_openid"}
PAID_STATUSES = ("paid", "shipped", "delivered", "completed", "refunded")
PAGE_SIZE = 50


def escape_regex(text: str) -> str:
    return re.escape(text)


@dataclass(frozen=True)
class DayFigure:
    day: str
    gmv_minor: int
    orders: int


@dataclass(frozen=True)
class Dashboard:
    currency: str
    gmv_today_minor: int
    paid_orders_today: int
    orders_today: int
    conversations_today: int
    open_handoffs: int
    waiting_handoffs: int
    low_stock_count: int
    low_stock: list[Document]
    days: list[DayFigure]
    status_counts: dict[str, int]

    @property
    def conversion(self) -> float | None:
        """Paid orders per conversation active today (None when nobody chatted)."""
        if not self.conversations_today:
            return None
        return self.paid_orders_today / self.conversations_today


@dataclass(frozen=True)
class OrderRow:
    doc: Document
    customer_name: str


@dataclass(frozen=True)
class OrderListFilter:
    status: str | None = None
    number: str | None = None
    customer_id: str | None = None
    channel: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive


@dataclass
class OrderList:
    rows: list[OrderRow] = field(default_factory=list)
    next_after: str | None = None


class AdminQueries:
    def __init__(self, db: Database, *, timezone: str = "Asia/Shanghai", currency: str = "CNY") -> None:
        self.db = db
        self.zone = ZoneInfo(timezone)
        self.timezone = timezone
        self.currency = currency

    # --- time ----------------------------------------------------------------------------------
    def day_start(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone)

    def today(self) -> date:
        return utcnow().astimezone(self.zone).date()

    def local(self, value: datetime | None) -> datetime | None:
        return as_utc(value).astimezone(self.zone) if value else None

    # --- dashboard ------------------------------------------------------------------------------
    async def dashboard(self, *, low_stock_threshold: int, days: int = 14) -> Dashboard:
        """Four commands: one orders $facet, one conversations $facet, low stock, stock count."""
        today = self.today()
        start_today = self.day_start(today)
        start_series = self.day_start(today - timedelta(days=days - 1))
        orders = await self._aggregate(ORDERS, [
            {"$match": {"created_at": {"$gte": start_series}}},
            {"$facet": {
                "paid_days": [
                    {"$match": {"paid_at": {"$gte": start_series}, "status": {"$in": list(PAID_STATUSES)}}},
                    {"$group": {"_id": {"$dateToString": {"date": "$paid_at", "format": "%Y-%m-%d",
                                                          "timezone": self.timezone}},
                                "gmv": {"$sum": "$total.amount"}, "n": {"$sum": 1}}},
                ],
                "today": [{"$match": {"created_at": {"$gte": start_today}}}, {"$count": "n"}],
                "statuses": [{"$group": {"_id": "$status", "n": {"$sum": 1}}}],
            }},
        ])  # fmt: skip
        facet = orders[0] if orders else {}
        by_day = {str(d["_id"]): d for d in facet.get("paid_days", [])}
        series = []
        for offset in range(days - 1, -1, -1):
            key = (today - timedelta(days=offset)).isoformat()
            found = by_day.get(key, {})
            series.append(DayFigure(key, int(found.get("gmv") or 0), int(found.get("n") or 0)))
        chats = await self._aggregate(CONVERSATIONS, [
            {"$facet": {
                "active": [{"$match": {"updated_at": {"$gte": start_today}}}, {"$count": "n"}],
                "handoffs": [{"$match": {"handoff.status": {"$in": ["waiting", "agent"]}}},
                             {"$group": {"_id": "$handoff.status", "n": {"$sum": 1}}}],
            }},
        ])  # fmt: skip
        chat_facet = chats[0] if chats else {}
        handoffs = {str(d["_id"]): int(d["n"]) for d in chat_facet.get("handoffs", [])}
        low = await self.low_stock(low_stock_threshold, limit=10)
        low_count = await self.db[INVENTORY].count_documents({"available": {"$lte": low_stock_threshold}})
        return Dashboard(
            currency=self.currency, gmv_today_minor=series[-1].gmv_minor, paid_orders_today=series[-1].orders,
            orders_today=_count(facet.get("today")), conversations_today=_count(chat_facet.get("active")),
            open_handoffs=sum(handoffs.values()), waiting_handoffs=handoffs.get("waiting", 0),
            low_stock_count=low_count, low_stock=low, days=series,
            status_counts={str(d["_id"]): int(d["n"]) for d in facet.get("statuses", [])},
        )  # fmt: skip

    # --- inventory ------------------------------------------------------------------------------
    async def low_stock(self, threshold: int, *, limit: int = 100) -> list[Document]:
        """Stock levels at or below `threshold`, lowest first, with the product title (one aggregate)."""
        return await self._aggregate(INVENTORY, [
            {"$match": {"available": {"$lte": threshold}}},
            {"$sort": {"available": 1, "_id": 1}},
            {"$limit": limit},
            *self._product_of_sku(),
        ])  # fmt: skip

    async def stock_levels(self, *, sku_prefix: str = "", after: str | None = None,
                           limit: int = PAGE_SIZE) -> tuple[list[Document], str | None]:  # fmt: skip
        match: Document = {}
        if sku_prefix:
            match["_id"] = {"$regex": "^" + escape_regex(sku_prefix)}
        if after:
            match.setdefault("_id", {})["$gt"] = after
        docs = await self._aggregate(INVENTORY, [
            {"$match": match}, {"$sort": {"_id": 1}}, {"$limit": limit + 1}, *self._product_of_sku(),
        ])  # fmt: skip
        return docs[:limit], (str(docs[limit - 1]["_id"]) if len(docs) > limit else None)

    @staticmethod
    def _product_of_sku() -> list[Document]:
        return [
            {"$lookup": {"from": PRODUCTS, "localField": "_id", "foreignField": "sku_codes", "as": "product"}},
            {"$project": {"available": 1, "reserved": 1, "updated_at": 1,
                          "product": {"$arrayElemAt": ["$product", 0]}}},
            {"$project": {"available": 1, "reserved": 1, "updated_at": 1, "product._id": 1, "product.title": 1,
                          "product.status": 1}},
        ]  # fmt: skip

    # --- orders ---------------------------------------------------------------------------------
    async def orders(self, filters: OrderListFilter, *, after: str | None = None, limit: int = PAGE_SIZE) -> OrderList:
        """Newest first (keyset on _id); two or three commands: [customers by channel], orders, names."""
        query: Document = {}
        if filters.status:
            query["status"] = filters.status
        if filters.number:
            query["number"] = {"$regex": "^" + escape_regex(filters.number)}
        if filters.customer_id:
            query["customer_id"] = filters.customer_id
        created: Document = {}
        if filters.date_from:
            created["$gte"] = self.day_start(filters.date_from)
        if filters.date_to:
            created["$lt"] = self.day_start(filters.date_to + timedelta(days=1))
        if created:
            query["created_at"] = created
        if filters.channel and not filters.customer_id:
            kind = CHANNEL_IDENTITY.get(filters.channel, filters.channel)
            ids = await self.db[CUSTOMERS].distinct("_id", {"identity_keys": {"$regex": "^" + escape_regex(kind) + ":"}})
            query["customer_id"] = {"$in": ids}
        if after:
            query["_id"] = {"$lt": after}
        projection = {"number": 1, "customer_id": 1, "status": 1, "total": 1, "created_at": 1, "paid_at": 1,
                      "lines.title": 1, "lines.quantity": 1, "shipment.carrier": 1, "shipment.tracking_no": 1}
        docs = await self.db[ORDERS].find(query, projection).sort("_id", DESCENDING).limit(limit + 1).to_list()
        names = await self.customer_names({str(d["customer_id"]) for d in docs[:limit]})
        rows = [OrderRow(d, names.get(str(d["customer_id"]), "")) for d in docs[:limit]]
        return OrderList(rows, str(docs[limit - 1]["_id"]) if len(docs) > limit else None)

    async def customer_names(self, ids: set[str]) -> dict[str, str]:
        if not ids:
            return {}
        cursor = self.db[CUSTOMERS].find({"_id": {"$in": sorted(ids)}}, {"name": 1, "phone": 1})
        return {str(d["_id"]): str(d.get("name") or d.get("phone") or "") async for d in cursor}

    async def order_notes(self, order_id: str) -> list[Document]:
        return await self.db[ORDER_NOTES].find({"order_id": order_id}).sort("at", DESCENDING).limit(100).to_list()

    async def add_order_note(self, order_id: str, author_id: str, author: str, text: str) -> Document:
        note: Document = {"order_id": order_id, "author_id": author_id, "author": author, "text": text, "at": utcnow()}
        await self.db[ORDER_NOTES].insert_one(note)
        return note

    # --- customers ------------------------------------------------------------------------------
    async def customers(self, *, q: str = "", tier: str | None = None, after: str | None = None,
                        limit: int = PAGE_SIZE) -> tuple[list[Document], str | None]:  # fmt: skip
        query: Document = {"merged_into": None}
        if tier:
            query["tier"] = tier
        text = q.strip()
        if text:
            # Exact keys use indexes (id, phone, identity); names are matched by prefix.
            phone = re.sub(r"[\s-]", "", text)
            ors: list[Document] = [{"_id": text}, {"name": {"$regex": "^" + escape_regex(text), "$options": "i"}},
                                   {"identity_keys": {"$regex": ":" + escape_regex(text) + "$"}}]  # fmt: skip
            if phone.isdigit() and len(phone) == 11:
                ors.append({"phone": "+86" + phone})
            elif phone.startswith("+"):
                ors.append({"phone": phone})
            query["$or"] = ors
        if after:
            query["_id"] = {"$gt": after}
        projection = {"name": 1, "phone": 1, "tier": 1, "language": 1, "identities.kind": 1, "purchases": 1,
                      "created_at": 1}  # fmt: skip
        docs = await self.db[CUSTOMERS].find(query, projection).sort("_id", ASCENDING).limit(limit + 1).to_list()
        return docs[:limit], (str(docs[limit - 1]["_id"]) if len(docs) > limit else None)

    async def customer_conversations(self, customer_id: str) -> list[Document]:
        return await self.db[CONVERSATIONS].find(
            {"customer_id": customer_id}, {"channel": 1, "channel_user_id": 1, "handoff": 1, "updated_at": 1, "lang": 1}
        ).sort("updated_at", DESCENDING).limit(20).to_list()

    # --- console --------------------------------------------------------------------------------
    async def handoff_conversations(self, agent_id: str) -> tuple[list[Document], list[Document]]:
        """(waiting queue longest-waiting first, conversations this agent owns); two finds."""
        projection = {"channel": 1, "channel_user_id": 1, "customer_id": 1, "handoff": 1, "lang": 1, "updated_at": 1}
        waiting = await self.db[CONVERSATIONS].find({"handoff.status": "waiting"}, projection).sort(
            "handoff.since", ASCENDING).limit(200).to_list()  # fmt: skip
        mine = await self.db[CONVERSATIONS].find({"handoff.status": "agent", "handoff.agent_id": agent_id},
                                                 projection).sort("handoff.since", ASCENDING).to_list()  # fmt: skip
        return waiting, mine

    async def last_message_previews(self, conversation_ids: list[str]) -> dict[str, Document]:
        if not conversation_ids:
            return {}
        docs = await self._aggregate(MESSAGES, [
            {"$match": {"conversation_id": {"$in": conversation_ids}}},
            {"$sort": {"conversation_id": 1, "at": -1}},
            {"$group": {"_id": "$conversation_id", "text": {"$first": "$text"}, "at": {"$first": "$at"},
                        "sender": {"$first": "$sender"}}},
        ])  # fmt: skip
        return {str(d["_id"]): d for d in docs}

    async def idle_agent_conversations(self, idle_since: datetime) -> list[Document]:
        """Agent-owned conversations whose agent neither took them nor wrote since `idle_since`."""
        candidates = await self.db[CONVERSATIONS].find(
            {"handoff.status": "agent", "handoff.since": {"$lt": idle_since}},
            {"channel": 1, "channel_user_id": 1, "handoff": 1, "lang": 1},
        ).to_list()
        if not candidates:
            return []
        recent = await self._aggregate(MESSAGES, [
            {"$match": {"conversation_id": {"$in": [c["_id"] for c in candidates]}, "sender": "agent",
                        "at": {"$gte": idle_since}}},
            {"$group": {"_id": "$conversation_id"}},
        ])  # fmt: skip
        active = {d["_id"] for d in recent}
        return [c for c in candidates if c["_id"] not in active]

    # --- helpers --------------------------------------------------------------------------------
    async def _aggregate(self, collection: str, pipeline: list[Document]) -> list[Document]:
        return await (await self.db[collection].aggregate(pipeline)).to_list()


def _count(rows: Any) -> int:
    return int(rows[0]["n"]) if rows else 0
