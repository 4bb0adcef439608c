"""Soak: mixed traffic for a while (chat turns, orders, payments, admin reads) through the app as
`chatcart serve` wires it, with this process's memory, the database server's memory and the
open sockets sampled every 10 s; reported as growth per hour (target: flat).

    CHATCART_SOAK_SECONDS=600 python -m benchmarks --only soak_bench     # make bench: 10 minutes
    CHATCART_SOAK_SECONDS=60 CHATCART_SOAK_SAMPLE_SECONDS=5 ...          # a quick look
"""

from __future__ import annotations

import asyncio
import gc
import os
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from benchmarks.harness import BenchContext, BenchSection
from chatcart.bootstrap import Container, running_container
from chatcart.settings import Settings
from chatcart.web import build_app
from commerce.api.principal import Role
from commerce.catalog.demo import seed_demo_store
from dialogs.messages import IncomingMessage

SOAK_SECONDS = float(os.environ.get("CHATCART_SOAK_SECONDS", "600"))
SAMPLE_SECONDS = float(os.environ.get("CHATCART_SOAK_SAMPLE_SECONDS", "10"))
WORKERS = 4
PAUSE_SECONDS = 0.05  # between one worker's rounds: steady load, not a stress test
CHAT = ["你好", "有没有蓝牙耳机", "第一个", "黑色的加入购物车", "购物车", "我的订单到哪了", "hello", "power banks"]
ADDRESS = {
    "recipient": "张三",
    "phone": "13800138000",
    "region": {"province": "上海市", "city": "上海市", "district": "浦东新区"},
    "detail": "世纪大道100号",
}


@dataclass
class Sample:
    at: float
    rss_mb: float
    db_rss_mb: float | None
    sockets: int


@dataclass
class Counts:
    chat_turns: int = 0
    orders: int = 0
    payments: int = 0
    admin_reads: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def _rss_mb(pid: int | str = "self") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _open_sockets() -> int:
    count = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                count += 1
        except OSError:
            continue
    return count


def _per_hour(samples: list[Sample], value: str) -> float | None:
    """Least-squares slope of `value` over time, per hour (the first sample is the warm-up)."""
    points = [(s.at, getattr(s, value)) for s in samples[1:] if getattr(s, value) is not None]
    if len(points) < 2:
        return None
    mean_t = sum(t for t, _ in points) / len(points)
    mean_v = sum(v for _, v in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return None
    slope = sum((t - mean_t) * (v - mean_v) for t, v in points) / spread
    return slope * 3600


async def _customer(http: ClientSession, base: str) -> str:
    async with http.post(f"{base}/api/v1/session", json={"language": "zh"}) as response:
        token = str((await response.json())["token"])
    headers = {"Authorization": f"Bearer {token}"}
    address = {**ADDRESS, "make_default": True}
    async with http.post(f"{base}/api/v1/addresses", json=address, headers=headers) as response:
        assert response.status == 201, await response.text()
    return token


async def _worker(
    index: int, container: Container, http: ClientSession, base: str, staff: str, sku: str, counts: Counts, stop: float
) -> None:
    customer = {"Authorization": f"Bearer {await _customer(http, base)}"}
    admin = {"Authorization": f"Bearer {staff}"}
    round_no = 0
    while time.monotonic() < stop:
        round_no += 1
        user = f"soak-{index}-{round_no % 50}"  # conversations come back, as real ones do
        try:
            await container.require_dialogs().handle(
                IncomingMessage.from_text("webchat", user, CHAT[round_no % len(CHAT)])
            )
            counts.chat_turns += 1
        except Exception as exc:
            counts.error(f"chat:{type(exc).__name__}")
        if round_no % 3 == 0:
            body = {"shipping_method": "express", "lines": {sku: 1}}
            key = {"Idempotency-Key": uuid.uuid4().hex}
            async with http.post(f"{base}/api/v1/orders", json=body, headers={**customer, **key}) as response:
                order = await response.json()
            if response.status == 201:
                counts.orders += 1
                async with http.post(f"{base}/api/v1/orders/{order['number']}/pay", headers=customer) as response:
                    payment = await response.json()
                if response.status == 201:
                    await container.commerce.payments.simulate(payment["payment_id"], True)
                    counts.payments += 1
            else:
                counts.error(f"order:{response.status}:{order.get('error', {}).get('code')}")
        if round_no % 5 == 0:
            for path in ("/api/v1/admin/orders?limit=20", "/api/v1/admin/inventory/low-stock"):
                async with http.get(f"{base}{path}", headers=admin) as response:
                    await response.read()
                    if response.status == 200:
                        counts.admin_reads += 1
                    else:
                        counts.error(f"admin:{response.status}")
        await asyncio.sleep(PAUSE_SECONDS)


async def run(context: BenchContext) -> BenchSection:
    section = BenchSection(f"Soak: {SOAK_SECONDS / 60:.0f} minutes of mixed traffic")
    samples: list[Sample] = []
    counts = Counts()
    with tempfile.TemporaryDirectory(prefix="chatcart-soak-") as data_dir:
        settings = Settings(
            mongodb_uri=context.mongo_uri, db_name=f"soak_{uuid.uuid4().hex[:8]}", data_dir=Path(data_dir)
        )
        async with running_container(settings) as container:
            await seed_demo_store(container.commerce, settings.data_dir, if_empty=True)
            owner = await container.access.create_staff("soak", "soak-password-123", [Role.OWNER])
            staff = (await container.access.create_api_token(owner.id, "soak")).token
            sku = next(iter(await _some_sku(container)))
            await container.commerce.inventory.set_levels({sku: 10_000_000}, "soak stock")
            server = TestServer(build_app(container))
            await server.start_server()
            base = f"http://{server.host}:{server.port}"
            try:
                async with ClientSession() as http:
                    stop = time.monotonic() + SOAK_SECONDS
                    started = time.monotonic()
                    workers = [
                        asyncio.create_task(_worker(i, container, http, base, staff, sku, counts, stop))
                        for i in range(WORKERS)
                    ]
                    while time.monotonic() < stop:
                        gc.collect()
                        samples.append(
                            Sample(
                                at=time.monotonic() - started,
                                rss_mb=_rss_mb() or 0.0,
                                db_rss_mb=_rss_mb(context.server_pid) if context.server_pid else None,
                                sockets=_open_sockets(),
                            )
                        )
                        await asyncio.sleep(min(SAMPLE_SECONDS, max(0.0, stop - time.monotonic())))
                    await asyncio.gather(*workers)
            finally:
                await server.close()
            await container.database.client.drop_database(settings.db_name)
    _report(section, samples, counts)
    return section


async def _some_sku(container: Container) -> list[str]:
    doc = await container.db["inventory"].find_one({}, {"_id": 1})
    assert doc is not None, "the demo store has stock"
    return [str(doc["_id"])]


def _report(section: BenchSection, samples: list[Sample], counts: Counts) -> None:
    rows = []
    for name, label in (("rss_mb", "app memory (RSS, MB)"), ("db_rss_mb", "database memory (RSS, MB)")):
        values = [getattr(s, name) for s in samples if getattr(s, name) is not None]
        if not values:
            continue
        growth = _per_hour(samples, name)
        rows.append([label, f"{values[0]:.1f}", f"{values[-1]:.1f}", f"{growth:+.1f}" if growth is not None else "n/a"])
        section.figures[f"{name}_growth_per_hour"] = round(growth, 2) if growth is not None else None
    sockets = [s.sockets for s in samples]
    growth = _per_hour(samples, "sockets")
    rows.append(
        ["open sockets (app)", str(sockets[0]), str(sockets[-1]), f"{growth:+.1f}" if growth is not None else "n/a"]
    )
    section.figures["sockets_growth_per_hour"] = round(growth, 2) if growth is not None else None
    section.table([f"sampled every {SAMPLE_SECONDS:.0f} s", "first", "last", "growth per hour"], rows)
    section.note(
        f"{counts.chat_turns} chat turns, {counts.orders} orders, {counts.payments} payments, "
        f"{counts.admin_reads} admin reads by {WORKERS} workers; errors: {counts.errors or 'none'}. "
        "Growth is the least-squares slope over the samples after the first (warm-up); a short run "
        "exaggerates it."
    )
    section.figures.update(
        chat_turns=counts.chat_turns, orders=counts.orders, payments=counts.payments, admin_reads=counts.admin_reads
    )
