"""Admin read models: the lists and figures the admin pages show, each in a few database
commands, straight on the commerce collections (read-only: every change goes through the
commerce services).

The services answer a customer's or a single object's questions; the admin needs lists with
filters across customers, counts for a dashboard and joins for display (customer names next
to orders). Those live here so the domain services stay small. Indexes these queries need
are in `INDEXES` (created by `setup_admin` at start-up).
"""

from __future__ import annotations

import bisect
import re
import time as _time
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from pymongo import ASCENDING, DESCENDING, IndexModel

from commerce.catalog.repository import PRODUCTS
from commerce.customers.model import IdentityKind, display_phone
from commerce.customers.service import CUSTOMERS
from commerce.inventory.service import INVENTORY
from commerce.orders.listing import newest_orders
from commerce.orders.model import ORDERS
from commerce.orders.stats import OrderStats
from core.mongo import CollectionIndexes, Database, Document, utcnow
from core.shop_time import ShopClock
from core.windows import BY_ID, CEILING, clamp_time, newest_by_id
from dialogs.state import DIRECTORY as CONVERSATIONS
from dialogs.transcript import COLLECTION as MESSAGES

INDEXES = [
    CollectionIndexes(
        ORDERS,
        [
            # Dashboard: today's and the last days' paid orders; order list date filter.
            IndexModel([("paid_at", DESCENDING)], name="admin_paid_at", sparse=True),
            IndexModel([("created_at", DESCENDING)], name="admin_created_at"),
            # The order list filtered by channel and status, newest first (time windows on _id).
            IndexModel(
                [("channel", ASCENDING), ("status", ASCENDING), ("_id", DESCENDING)], name="admin_channel_status_id"
            ),
        ],
    ),
    CollectionIndexes(
        CUSTOMERS,
        [
            IndexModel([("phone", ASCENDING)], name="admin_phone", sparse=True),
            IndexModel([("name", ASCENDING)], name="admin_name", sparse=True),
            # The customer list, newest first, read in time windows on _id (all / by tier).
            IndexModel([("merged_into", ASCENDING), ("_id", DESCENDING)], name="admin_merged_id"),
            IndexModel(
                [("merged_into", ASCENDING), ("tier", ASCENDING), ("_id", DESCENDING)], name="admin_merged_tier_id"
            ),
        ],
    ),
    # Inventory pages by SKU prefix: SecantusDB ranges over `_id` only through a real index.
    CollectionIndexes(INVENTORY, [IndexModel([("_id", ASCENDING), ("available", ASCENDING)], name="admin_sku")]),
    # The console's "mine" list and the idle-agent check are served by the dialog layer's own
    # indexes (`handoff_queue`: status, since; `conv_at`: conversation, time) and a filter over the
    # few agent-owned rows; dedicated indexes here were rewritten by every turn for nothing.
    CollectionIndexes(CONVERSATIONS, retired=("admin_handoff_agent",)),
    CollectionIndexes(MESSAGES, retired=("admin_conv_sender_at",)),
]

PAGE_SIZE = 50
LOW_STOCK_COUNT_CAP = 100  # the dashboard says "100+" beyond this
SKU_LIST_SECONDS = 60.0  # how long the inventory list's SKU order may lag behind new SKUs

LAST_DAY = CEILING.date()  # date filters beyond it mean the same and cannot overflow a day's arithmetic


def _customer_lookups(text: str) -> list[Document]:
    """Indexed queries for a customer search: id, phone, identity value of any kind, name prefix
    (as typed and in the usual capitalisations; names are matched case-sensitively per query)."""
    queries: list[Document] = [
        {"_id": text},
        {"identity_keys": {"$in": [f"{kind.value}:{text}" for kind in IdentityKind]}},
    ]
    phone = re.sub(r"[\s-]", "", text)
    if phone.isdigit() and len(phone) == 11:
        queries.append({"phone": "+86" + phone})
    elif phone.startswith("+"):
        queries.append({"phone": phone})
    for variant in dict.fromkeys((text, text.lower(), text.capitalize(), text.title(), text.upper())):
        queries.append({"name": {"$gte": variant, "$lt": variant + "\uffff"}})
    return queries


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
    low_stock_count: int  # counted up to LOW_STOCK_COUNT_CAP
    low_stock: list[Document]
    days: list[DayFigure]
    status_counts: dict[str, int]

    @property
    def low_stock_more(self) -> bool:
        """There may be more low levels than counted."""
        return self.low_stock_count >= LOW_STOCK_COUNT_CAP

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


def customer_label(doc: Document) -> str:
    """How staff recognise a customer: the name (or chat nickname), else the phone, else the
    recipient of a saved address, else the e-mail; "" when nothing is known (a new visitor)."""
    if doc.get("name"):
        return str(doc["name"])
    if doc.get("phone"):
        return display_phone(str(doc["phone"]))
    for address in doc.get("addresses") or ():
        if isinstance(address, dict) and address.get("recipient"):
            phone = display_phone(str(address.get("phone") or ""))
            return f"{address['recipient']} {phone}".strip()
    return str(doc.get("email") or "")


class AdminQueries:
    def __init__(self, db: Database, *, timezone: str = "Asia/Shanghai", currency: str = "CNY") -> None:
        self.db = db
        self.clock = ShopClock(timezone)
        self.zone = self.clock.zone
        self.timezone = timezone
        self.currency = currency
        self.stats = OrderStats(db, timezone=timezone)
        self._sku_list: tuple[float, list[str]] | None = None

    # --- time ----------------------------------------------------------------------------------
    def day_start(self, day: date) -> datetime:
        return clamp_time(datetime.combine(min(day, LAST_DAY), time(0), tzinfo=self.zone))

    def today(self) -> date:
        return utcnow().astimezone(self.zone).date()

    def local(self, value: datetime | None) -> datetime | None:
        return self.clock.local(value) if value else None

    # --- dashboard ------------------------------------------------------------------------------
    async def dashboard(self, *, low_stock_threshold: int, days: int = 14) -> Dashboard:
        """Five commands: the fortnight's per-day order figures, today's active conversations, open
        handoffs, the lowest stock levels (counted up to LOW_STOCK_COUNT_CAP) and their products."""
        today = self.today()
        series_days = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
        figures = await self.stats.days(series_days)
        series = [
            DayFigure(
                day.isoformat(),
                int(figures.get(day.isoformat(), {}).get("gmv_minor") or 0),
                int(figures.get(day.isoformat(), {}).get("paid") or 0),
            )
            for day in series_days
        ]
        status_counts: dict[str, int] = {}
        for day in figures.values():
            for status, count in (day.get("status") or {}).items():
                status_counts[status] = status_counts.get(status, 0) + int(count)
        start_today = self.day_start(today)
        active = await self.db[CONVERSATIONS].find({"updated_at": {"$gte": start_today}}, {"_id": 1}).to_list()
        handoffs: dict[str, int] = {}
        async for doc in self.db[CONVERSATIONS].find(
            {"handoff.status": {"$in": ["waiting", "agent"]}}, {"handoff.status": 1}
        ):
            status = str(doc["handoff"]["status"])
            handoffs[status] = handoffs.get(status, 0) + 1
        low, low_count = await self._lowest_stock(low_stock_threshold, rows=10, count_up_to=LOW_STOCK_COUNT_CAP)
        return Dashboard(
            currency=self.currency,
            gmv_today_minor=series[-1].gmv_minor,
            paid_orders_today=series[-1].orders,
            orders_today=int(figures.get(today.isoformat(), {}).get("created") or 0),
            conversations_today=len(active),
            open_handoffs=sum(handoffs.values()),
            waiting_handoffs=handoffs.get("waiting", 0),
            low_stock_count=low_count,
            low_stock=await self._with_products(low),
            days=series,
            status_counts={k: v for k, v in status_counts.items() if v > 0},
        )

    # --- inventory ------------------------------------------------------------------------------
    async def low_stock(self, threshold: int, *, limit: int = 100) -> list[Document]:
        """Stock levels at or below `threshold`, lowest first, with the product title."""
        rows, _ = await self._lowest_stock(threshold, rows=limit, count_up_to=limit)
        return await self._with_products(rows)

    async def _lowest_stock(self, threshold: int, *, rows: int, count_up_to: int) -> tuple[list[Document], int]:
        """The `rows` lowest levels <= threshold and how many there are, counted up to `count_up_to`
        (the count is then shown as "N+"). Reads the `available` index in growing value ranges
        (0, 1, 2-3, 4-7, ...) until enough are found, instead of every low level at once."""
        found: list[Document] = []
        low, width = 0, 1
        while low <= threshold and len(found) < max(rows, count_up_to):
            high = min(low + width, threshold + 1)
            found.extend(
                await self.db[INVENTORY]
                .find({"available": {"$gte": low, "$lt": high}}, {"available": 1, "reserved": 1, "updated_at": 1})
                .to_list()
            )
            low, width = high, width * 2
        found.sort(key=lambda d: (int(d.get("available") or 0), str(d["_id"])))
        return found[:rows], min(len(found), count_up_to)

    async def stock_levels(
        self, *, sku_prefix: str = "", after: str | None = None, limit: int = PAGE_SIZE
    ) -> tuple[list[Document], str | None]:
        """By SKU. With a prefix: one range read of the SKU index. Without: the SKU order comes from
        a list of every SKU cached for SKU_LIST_SECONDS (one full read per period), the page's
        levels from point lookups - the database cannot page 10,000s of SKUs by key cheaply."""
        projection = {"available": 1, "reserved": 1, "updated_at": 1}
        if sku_prefix:
            bounds: Document = {"$gte": sku_prefix, "$lt": sku_prefix + "\uffff"}
            if after:
                bounds["$gt"] = after
            found = await self.db[INVENTORY].find({"_id": bounds}, projection).to_list()
            docs = sorted(found, key=lambda d: str(d["_id"]))[: limit + 1]
        else:
            skus = await self._all_skus()
            start = bisect.bisect_right(skus, after) if after else 0
            page = skus[start : start + limit + 1]
            by_sku = {
                str(d["_id"]): d for d in await self.db[INVENTORY].find({"_id": {"$in": page}}, projection).to_list()
            }
            docs = [by_sku[sku] for sku in page if sku in by_sku]
        rows = await self._with_products(docs[:limit])
        return rows, (str(docs[limit - 1]["_id"]) if len(docs) > limit else None)

    async def _all_skus(self) -> list[str]:
        now = _time.monotonic()
        if self._sku_list is None or now - self._sku_list[0] > SKU_LIST_SECONDS:
            skus = sorted([str(d["_id"]) async for d in self.db[INVENTORY].find({}, {"_id": 1})])
            self._sku_list = (now, skus)
        return self._sku_list[1]

    async def _with_products(self, rows: list[Document]) -> list[Document]:
        """Attach `product` (_id, title, status) to stock rows: one read by the SKU index of products."""
        skus = [str(row["_id"]) for row in rows]
        if not skus:
            return rows
        owner: dict[str, Document] = {}
        async for product in self.db[PRODUCTS].find(
            {"sku_codes": {"$in": skus}}, {"title": 1, "status": 1, "sku_codes": 1}
        ):
            for sku in product.get("sku_codes") or []:
                owner.setdefault(
                    str(sku), {"_id": product["_id"], "title": product.get("title"), "status": product.get("status")}
                )
        return [{**row, "product": owner.get(str(row["_id"]))} for row in rows]

    # --- orders ---------------------------------------------------------------------------------
    async def orders(self, filters: OrderListFilter, *, after: str | None = None, limit: int = PAGE_SIZE) -> OrderList:
        """Newest first (keyset on _id); a few order reads (time windows) and one for the names."""
        projection = {
            "number": 1,
            "customer_id": 1,
            "status": 1,
            "total": 1,
            "created_at": 1,
            "paid_at": 1,
            "channel": 1,
            "lines.title": 1,
            "lines.quantity": 1,
            "shipment.carrier": 1,
            "shipment.tracking_no": 1,
        }
        since = self.day_start(filters.date_from) if filters.date_from else None
        until = self.day_start(min(filters.date_to, LAST_DAY) + timedelta(days=1)) if filters.date_to else None
        equal = {
            "customer_id": filters.customer_id or "",
            "status": filters.status or "",
            "channel": filters.channel or "",
        }
        docs = await newest_orders(
            self.db[ORDERS],
            equal=equal,
            number_prefix=filters.number or "",
            since=since,
            until=until,
            before_id=after,
            limit=limit + 1,
            zone=self.zone,
            projection=projection,
        )
        names = await self.customer_names({str(d["customer_id"]) for d in docs[:limit]})
        rows = [OrderRow(d, names.get(str(d["customer_id"]), "")) for d in docs[:limit]]
        return OrderList(rows, str(docs[limit - 1]["_id"]) if len(docs) > limit else None)

    async def customer_names(self, ids: set[str]) -> dict[str, str]:
        if not ids:
            return {}
        projection = {"name": 1, "phone": 1, "email": 1, "addresses.recipient": 1, "addresses.phone": 1}
        cursor = self.db[CUSTOMERS].find({"_id": {"$in": sorted(ids)}}, projection)
        return {str(d["_id"]): customer_label(d) async for d in cursor}

    # --- customers ------------------------------------------------------------------------------
    async def customers(
        self, *, q: str = "", tier: str | None = None, after: str | None = None, limit: int = PAGE_SIZE
    ) -> tuple[list[Document], str | None]:
        """Newest first (keyset on _id). A search looks the text up as an id, a phone number, an
        identity of any kind and a name prefix - each one indexed lookup."""
        projection = {
            "name": 1,
            "phone": 1,
            "tier": 1,
            "language": 1,
            "identities.kind": 1,
            "purchases": 1,
            "created_at": 1,
            "merged_into": 1,
        }
        text = q.strip()
        if text:
            found: dict[str, Document] = {}
            for query in _customer_lookups(text):
                for doc in await self.db[CUSTOMERS].find(query, projection).limit(200).to_list():
                    found[str(doc["_id"])] = doc
            docs = sorted(
                (
                    d
                    for key, d in found.items()
                    if d.get("merged_into") is None
                    and (tier is None or d.get("tier") == tier)
                    and (after is None or key < after)
                ),
                key=lambda d: str(d["_id"]),
                reverse=True,
            )[: limit + 1]
        else:
            equal: Document = {"merged_into": None, **({"tier": tier} if tier else {})}
            docs = await newest_by_id(
                self.db[CUSTOMERS], equal=equal, window=BY_ID, limit=limit + 1, before_id=after, projection=projection
            )
        return docs[:limit], (str(docs[limit - 1]["_id"]) if len(docs) > limit else None)

    async def customer_conversations(self, customer_id: str) -> list[Document]:
        return (
            await self.db[CONVERSATIONS]
            .find(
                {"customer_id": customer_id},
                {"channel": 1, "channel_user_id": 1, "handoff": 1, "updated_at": 1, "lang": 1},
            )
            .sort("updated_at", DESCENDING)
            .limit(20)
            .to_list()
        )

    # --- console --------------------------------------------------------------------------------
    async def handoff_conversations(self, agent_id: str) -> tuple[list[Document], list[Document]]:
        """(waiting queue longest-waiting first, conversations this agent owns); two finds."""
        projection = {"channel": 1, "channel_user_id": 1, "customer_id": 1, "handoff": 1, "lang": 1, "updated_at": 1}
        waiting = (
            await self.db[CONVERSATIONS]
            .find({"handoff.status": "waiting"}, projection)
            .sort("handoff.since", ASCENDING)
            .limit(200)
            .to_list()
        )
        mine = (
            await self.db[CONVERSATIONS]
            .find({"handoff.status": "agent", "handoff.agent_id": agent_id}, projection)
            .sort("handoff.since", ASCENDING)
            .to_list()
        )
        return waiting, mine

    async def last_customer_messages(self, conversation_ids: list[str]) -> dict[str, Document]:
        """What each customer said last (the queue shows it, not the bot's notice that followed)."""
        if not conversation_ids:
            return {}
        docs = await self._aggregate(
            MESSAGES,
            [
                {"$match": {"conversation_id": {"$in": conversation_ids}, "sender": "customer"}},
                {"$sort": {"conversation_id": 1, "at": -1}},
                {
                    "$group": {
                        "_id": "$conversation_id",
                        "text": {"$first": "$text"},
                        "kind": {"$first": "$kind"},
                        "images": {"$first": "$images"},
                        "at": {"$first": "$at"},
                    }
                },
            ],
        )
        return {str(doc["_id"]): doc for doc in docs}

    async def idle_agent_conversations(self, idle_since: datetime) -> list[Document]:
        """Agent-owned conversations whose agent neither took them nor wrote since `idle_since`."""
        candidates = (
            await self.db[CONVERSATIONS]
            .find(
                {"handoff.status": "agent", "handoff.since": {"$lt": idle_since}},
                {"channel": 1, "channel_user_id": 1, "handoff": 1, "lang": 1},
            )
            .to_list()
        )
        if not candidates:
            return []
        recent = await self._aggregate(
            MESSAGES,
            [
                {
                    "$match": {
                        "conversation_id": {"$in": [c["_id"] for c in candidates]},
                        "sender": "agent",
                        "at": {"$gte": idle_since},
                    }
                },
                {"$group": {"_id": "$conversation_id"}},
            ],
        )
        active = {d["_id"] for d in recent}
        return [c for c in candidates if c["_id"] not in active]

    # --- helpers --------------------------------------------------------------------------------
    async def _aggregate(self, collection: str, pipeline: list[Document]) -> list[Document]:
        return await (await self.db[collection].aggregate(pipeline)).to_list()
