"""Daily reconciliation: a provider's statement for a day against chatcart's payments and
refunds (`payment_reconciliations`, one report per provider and day).

Payments are matched by our payment id (out_trade_no), refunds by our refund id
(out_refund_no / out_request_no). A line is
  matched              on both sides with the same amount
  amount_mismatch      on both sides, amounts differ
  missing_in_shop      on the statement, but chatcart has no settled record of it (money the
                       shop does not know about: a lost notification, a payment nobody polled)
  missing_in_provider  settled in chatcart on that day, absent from the statement
Records are looked up a day either side, so a payment settled just before midnight on one side
and just after on the other is not reported as missing twice. The statement's day is a
Beijing-time day (both WeChat Pay and Alipay cut their bills at 00:00 UTC+8).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from commerce.money import Money
from commerce.payments.alerts import AlertKind
from commerce.payments.model import PaymentStatus, RefundState, StatementLine
from commerce.payments.refunds import REFUNDS
from commerce.payments.service import PAYMENTS, PaymentService
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, Document, utcnow

RECONCILIATIONS = "payment_reconciliations"
INDEXES = [CollectionIndexes(RECONCILIATIONS, [IndexModel([("state", ASCENDING), ("at", DESCENDING)])])]
CHINA = timezone(timedelta(hours=8))
SETTLED_PAYMENT = [PaymentStatus.SUCCEEDED.value, PaymentStatus.ORPHANED.value, PaymentStatus.REFUNDED.value]
log = get_logger("commerce.payments.reconcile")


@dataclass
class ReconcileReport:
    date: str
    provider: str
    matched: list[dict[str, Any]] = field(default_factory=list)
    missing_in_shop: list[dict[str, Any]] = field(default_factory=list)
    missing_in_provider: list[dict[str, Any]] = field(default_factory=list)
    amount_mismatch: list[dict[str, Any]] = field(default_factory=list)

    @property
    def differences(self) -> int:
        return len(self.missing_in_shop) + len(self.missing_in_provider) + len(self.amount_mismatch)

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "provider": self.provider,
            "matched": self.matched,
            "missing_in_shop": self.missing_in_shop,
            "missing_in_provider": self.missing_in_provider,
            "amount_mismatch": self.amount_mismatch,
        }


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC)
    return start, start + timedelta(days=1)


def _entry(kind: str, trade_no: str, order: str, amount: Money, **extra: str) -> dict[str, Any]:
    return {"trade_no": trade_no, "order": order, "amount": amount.to_decimal_string(), "kind": kind, **extra}


class Reconciler:
    def __init__(self, db: Database, payments: PaymentService) -> None:
        self._db = db
        self._reports = db[RECONCILIATIONS]
        self.payments = payments

    def providers(self) -> list[str]:
        """Providers with a statement (the sandbox keeps none)."""
        return [name for name in self.payments.providers if name != "sandbox"]

    async def reconcile(self, day: date, provider_name: str) -> ReconcileReport:
        provider = self.payments.provider(provider_name)
        statement = await provider.statement(day)
        report = await self.compare(day, provider_name, statement)
        await self._store(report)
        return report

    async def compare(self, day: date, provider_name: str, statement: list[StatementLine]) -> ReconcileReport:
        start, end = day_bounds(day)
        wide_start, wide_end = start - timedelta(days=1), end + timedelta(days=1)
        shop_payments: dict[str, Document] = {
            str(doc["_id"]): doc
            async for doc in self._db[PAYMENTS].find(
                {"provider": provider_name, "paid_at": {"$gte": wide_start, "$lt": wide_end}}
            )
        }
        shop_refunds: dict[str, Document] = {
            str(doc["_id"]): doc
            async for doc in self._db[REFUNDS].find(
                {"provider": provider_name, "created_at": {"$gte": wide_start, "$lt": wide_end}}
            )
        }
        # Statement lines about payments the window did not load (pending, void in our books).
        wanted = [
            line.payment_id for line in statement if line.kind == "payment" and line.payment_id not in shop_payments
        ]
        unsettled: dict[str, Document] = {}
        if wanted:
            unsettled = {str(d["_id"]): d async for d in self._db[PAYMENTS].find({"_id": {"$in": wanted}})}
        report = ReconcileReport(day.isoformat(), provider_name)
        seen_payments: set[str] = set()
        seen_refunds: set[str] = set()
        for line in statement:
            if line.kind == "payment":
                doc = shop_payments.get(line.payment_id)
                seen_payments.add(line.payment_id)
                if doc is None or doc.get("status") not in SETTLED_PAYMENT:
                    known = doc or unsettled.get(line.payment_id)
                    order = str((known or {}).get("order_number") or "")
                    status = str((known or {}).get("status") or "unknown")
                    report.missing_in_shop.append(
                        _entry(
                            "payment", line.trade_no, order, line.amount, payment_id=line.payment_id, shop_status=status
                        )
                    )
                    continue
                self._match(report, "payment", line, doc, Money.from_doc(doc["amount"]), payment_id=line.payment_id)
            else:
                refund = shop_refunds.get(line.refund_id)
                seen_refunds.add(line.refund_id)
                if refund is None or refund.get("state") != RefundState.SUCCEEDED.value:
                    order = str((refund or {}).get("order_number") or "")
                    report.missing_in_shop.append(
                        _entry("refund", line.trade_no, order, line.amount, refund_id=line.refund_id)
                    )
                    continue
                self._match(report, "refund", line, refund, Money.from_doc(refund["amount"]), refund_id=line.refund_id)
        for payment_id, doc in shop_payments.items():
            paid_at = doc.get("paid_at")
            in_day = isinstance(paid_at, datetime) and start <= _utc(paid_at) < end
            if payment_id not in seen_payments and in_day and doc.get("status") in SETTLED_PAYMENT:
                report.missing_in_provider.append(
                    _entry(
                        "payment",
                        str(doc.get("trade_no") or ""),
                        str(doc.get("order_number") or ""),
                        Money.from_doc(doc["amount"]),
                        payment_id=payment_id,
                    )
                )
        for refund_id, doc in shop_refunds.items():
            created = doc.get("created_at")
            in_day = isinstance(created, datetime) and start <= _utc(created) < end
            if refund_id not in seen_refunds and in_day and doc.get("state") == RefundState.SUCCEEDED.value:
                report.missing_in_provider.append(
                    _entry(
                        "refund",
                        str(doc.get("trade_no") or ""),
                        str(doc.get("order_number") or ""),
                        Money.from_doc(doc["amount"]),
                        refund_id=refund_id,
                    )
                )
        return report

    @staticmethod
    def _match(report: ReconcileReport, kind: str, line: StatementLine, doc: Document, ours: Money, **ids: str) -> None:
        order = str(doc.get("order_number") or "")
        if ours == line.amount:
            report.matched.append(_entry(kind, line.trade_no, order, line.amount, **ids))
        else:
            report.amount_mismatch.append(
                _entry(kind, line.trade_no, order, line.amount, shop_amount=ours.to_decimal_string(), **ids)
            )

    async def _store(self, report: ReconcileReport) -> None:
        key = f"{report.provider}:{report.date}"
        await self._reports.update_one(
            {"_id": key},
            {"$set": {**report.to_dict(), "differences": report.differences, "state": "done", "at": utcnow()}},
            upsert=True,
        )
        if report.differences:
            await self.payments.alerts.record(
                AlertKind.RECONCILIATION,
                "differences",
                provider=report.provider,
                detail=(
                    f"{report.date}: {len(report.missing_in_shop)} missing in the shop, "
                    f"{len(report.missing_in_provider)} missing at the provider, "
                    f"{len(report.amount_mismatch)} amount mismatches"
                ),
                alert_id=f"reconcile:{key}",
            )
        log.info("reconciled", provider=report.provider, date=report.date, differences=report.differences)

    async def recent(self, limit: int = 30) -> list[Document]:
        cursor = self._reports.find({"state": "done"}).sort("at", -1).limit(limit)
        return [doc async for doc in cursor]

    async def claim_day(self, provider: str, day: date, worker: str) -> bool:
        """One worker reconciles a provider's day: the report's id is claimed by inserting it."""
        now = utcnow()
        try:
            await self._reports.insert_one(
                {"_id": f"{provider}:{day.isoformat()}", "state": "running", "owner": worker, "at": now}
            )
            return True
        except DuplicateKeyError:
            # A run that died an hour ago may be taken over.
            taken = await self._reports.update_one(
                {"_id": f"{provider}:{day.isoformat()}", "state": "running", "at": {"$lt": now - timedelta(hours=1)}},
                {"$set": {"owner": worker, "at": now}},
            )
            return taken.modified_count == 1

    async def release_day(self, provider: str, day: date) -> None:
        await self._reports.delete_one({"_id": f"{provider}:{day.isoformat()}", "state": "running"})


class DailyReconciliation:
    """Once a day, after `after_hour` in the shop's zone, yesterday's statements are reconciled."""

    def __init__(self, reconciler: Reconciler, *, timezone_name: str, after_hour: int = 10) -> None:
        self.reconciler = reconciler
        self.zone = ZoneInfo(timezone_name)
        self.after_hour = after_hour
        self.worker = f"reconcile-{id(self):x}"

    async def run_once(self, now: datetime | None = None) -> list[ReconcileReport]:
        local = (now or utcnow()).astimezone(self.zone)
        if local.hour < self.after_hour:
            return []
        day = local.date() - timedelta(days=1)
        reports = []
        for provider in self.reconciler.providers():
            if not await self.reconciler.claim_day(provider, day, self.worker):
                continue
            try:
                reports.append(await self.reconciler.reconcile(day, provider))
            except Exception:
                log.exception("reconcile_failed", provider=provider, date=day.isoformat())
                with contextlib.suppress(Exception):  # let the next round (or another worker) retry
                    await self.reconciler.release_day(provider, day)
        return reports

    async def run_forever(self, interval_seconds: float = 900.0) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("daily_reconciliation_failed")
            await asyncio.sleep(interval_seconds)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def report_from_doc(doc: Mapping[str, Any]) -> ReconcileReport:
    return ReconcileReport(
        date=str(doc.get("date") or ""),
        provider=str(doc.get("provider") or ""),
        matched=list(doc.get("matched") or []),
        missing_in_shop=list(doc.get("missing_in_shop") or []),
        missing_in_provider=list(doc.get("missing_in_provider") or []),
        amount_mismatch=list(doc.get("amount_mismatch") or []),
    )
