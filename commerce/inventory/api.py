"""HTTP routes of inventory (staff).

GET  /api/v1/admin/inventory?skus=A,B          stock levels
GET  /api/v1/admin/inventory/low-stock         SKUs at or below a threshold
POST /api/v1/admin/inventory/adjust            add or remove available units with a reason
GET  /api/v1/admin/inventory/{sku}/ledger      the SKU's recent movements
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from commerce.api.framework import ApiContext, ApiRouter
from commerce.api.principal import Auth, Role
from commerce.errors import ValidationFailed
from commerce.inventory.model import Movement, StockLevel
from commerce.inventory.service import InventoryService

router = ApiRouter(tag="inventory")
STOCK_ADMINS = (Role.ORDER_MANAGER, Role.CATALOG_MANAGER, Role.OWNER)
STOCK_READERS = (*STOCK_ADMINS, Role.AGENT, Role.ANALYST)


class LevelsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    skus: str = Field(min_length=1, max_length=2000, description="comma-separated SKUs")


class LowStockQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    threshold: int = Field(default=5, ge=0, le=1_000_000)
    limit: int = Field(default=100, ge=1, le=500)


class AdjustIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: str = Field(min_length=1, max_length=100)
    delta: int = Field(ge=-1_000_000, le=1_000_000, description="positive adds, negative removes")
    reason: str = Field(min_length=2, max_length=200)


class LevelOut(BaseModel):
    sku: str
    available: int
    reserved: int

    @classmethod
    def of(cls, level: StockLevel) -> LevelOut:
        return cls(sku=level.sku, available=level.available, reserved=level.reserved)


class LevelsOut(BaseModel):
    items: list[LevelOut]


class MovementOut(BaseModel):
    sku: str
    delta_available: int
    delta_reserved: int
    kind: str
    reason: str
    ref: str | None
    actor: str
    at: str

    @classmethod
    def of(cls, movement: Movement) -> MovementOut:
        return cls(
            sku=movement.sku,
            delta_available=movement.delta_available,
            delta_reserved=movement.delta_reserved,
            kind=movement.kind,
            reason=movement.reason,
            ref=movement.ref,
            actor=movement.actor,
            at=movement.at.isoformat(),
        )


class LedgerOut(BaseModel):
    items: list[MovementOut]


def _inventory(ctx: ApiContext) -> InventoryService:
    service: InventoryService = ctx.services.inventory
    return service


@router.get("/admin/inventory", auth=Auth.STAFF, roles=STOCK_READERS, query=LevelsQuery, response=LevelsOut)
async def stock_levels(ctx: ApiContext) -> LevelsOut:
    """Available and reserved units of the given SKUs."""
    skus = [s.strip() for s in ctx.query_as(LevelsQuery).skus.split(",") if s.strip()]
    if len(skus) > 200:
        raise ValidationFailed("at most 200 SKUs at a time", details={"location": "query"})
    levels = await _inventory(ctx).get_levels(skus)
    return LevelsOut(items=[LevelOut.of(level) for level in levels.values()])


@router.get("/admin/inventory/low-stock", auth=Auth.STAFF, roles=STOCK_READERS, query=LowStockQuery, response=LevelsOut)
async def low_stock(ctx: ApiContext) -> LevelsOut:
    """SKUs whose available units are at or below the threshold, lowest first."""
    query = ctx.query_as(LowStockQuery)
    return LevelsOut(items=[LevelOut.of(x) for x in await _inventory(ctx).low_stock(query.threshold, query.limit)])


@router.post("/admin/inventory/adjust", auth=Auth.STAFF, roles=STOCK_ADMINS, body=AdjustIn, response=LevelOut)
async def adjust_stock(ctx: ApiContext) -> LevelOut:
    """Add (delivery, found) or remove (damage, loss) available units; recorded in the ledger."""
    body = ctx.body_as(AdjustIn)
    level = await _inventory(ctx).adjust(body.sku, body.delta, body.reason, f"staff:{ctx.principal.staff_id}")
    return LevelOut.of(level)


@router.get("/admin/inventory/{sku}/ledger", auth=Auth.STAFF, roles=STOCK_READERS, response=LedgerOut)
async def stock_ledger(ctx: ApiContext) -> LedgerOut:
    """The SKU's most recent stock movements."""
    return LedgerOut(items=[MovementOut.of(m) for m in await _inventory(ctx).ledger(ctx.path["sku"], limit=200)])
