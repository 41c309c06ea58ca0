"""Depots and their vehicles in PostgreSQL."""

from __future__ import annotations

from lastmile_common.db.pool import Connection

from planner.adapters.rows import depot_of, vehicle_of
from planner.domain.depots import StoredDepot, StoredVehicle


class PostgresDepots:
    """Depots and their vehicles on the unit of work's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, tenant_id: str, depot_id: str) -> StoredDepot | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM depots WHERE tenant_id = $1 AND id = $2", tenant_id, depot_id
        )
        return depot_of(row) if row else None

    async def of_tenant(self, tenant_id: str) -> list[StoredDepot]:
        rows = await self.conn.fetch(
            "SELECT * FROM depots WHERE tenant_id = $1 ORDER BY created_at, id", tenant_id
        )
        return [depot_of(r) for r in rows]

    async def with_cutoffs(self) -> list[StoredDepot]:
        rows = await self.conn.fetch("SELECT * FROM depots WHERE spec->'cutoff_times' <> '[]'")
        return [depot_of(r) for r in rows]

    async def save(self, depot: StoredDepot) -> None:
        await self.conn.execute(
            "INSERT INTO depots (tenant_id, id, spec) VALUES ($1, $2, $3)"
            " ON CONFLICT (tenant_id, id) DO UPDATE SET spec = $3, updated_at = now()",
            depot.tenant_id,
            depot.id,
            depot.spec.model_dump(mode="json"),
        )

    async def add(self, depot: StoredDepot) -> bool:
        status = await self.conn.execute(
            "INSERT INTO depots (tenant_id, id, spec) VALUES ($1, $2, $3)"
            " ON CONFLICT (tenant_id, id) DO NOTHING",
            depot.tenant_id,
            depot.id,
            depot.spec.model_dump(mode="json"),
        )
        return bool(status.endswith(" 1"))

    async def update(self, depot: StoredDepot) -> bool:
        status = await self.conn.execute(
            "UPDATE depots SET spec = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
            depot.tenant_id,
            depot.id,
            depot.spec.model_dump(mode="json"),
        )
        return bool(status.endswith(" 1"))

    async def hold(self, tenant_id: str, depot_id: str) -> bool:
        # KEY SHARE: a concurrent delete waits for this transaction, which so never adds a
        # vehicle to a depot deleted meanwhile (a foreign-key violation).
        row = await self.conn.fetchrow(
            "SELECT 1 FROM depots WHERE tenant_id = $1 AND id = $2 FOR KEY SHARE",
            tenant_id,
            depot_id,
        )
        return row is not None

    async def delete(self, tenant_id: str, depot_id: str) -> bool:
        status = await self.conn.execute(
            "DELETE FROM depots WHERE tenant_id = $1 AND id = $2", tenant_id, depot_id
        )
        return bool(status.endswith(" 1"))

    async def get_vehicle(self, tenant_id: str, vehicle_id: str) -> StoredVehicle | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM vehicles WHERE tenant_id = $1 AND id = $2", tenant_id, vehicle_id
        )
        return vehicle_of(row) if row else None

    async def vehicles_of(self, tenant_id: str, depot_id: str) -> list[StoredVehicle]:
        rows = await self.conn.fetch(
            "SELECT * FROM vehicles WHERE tenant_id = $1 AND depot_id = $2 ORDER BY created_at, id",
            tenant_id,
            depot_id,
        )
        return [vehicle_of(r) for r in rows]

    async def save_vehicle(self, vehicle: StoredVehicle) -> None:
        await self.conn.execute(
            "INSERT INTO vehicles (tenant_id, id, depot_id, spec) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (tenant_id, id) DO UPDATE SET spec = $4, updated_at = now()",
            vehicle.tenant_id,
            vehicle.id,
            vehicle.depot_id,
            vehicle.spec.model_dump(mode="json"),
        )

    async def add_vehicle(self, vehicle: StoredVehicle) -> bool:
        status = await self.conn.execute(
            "INSERT INTO vehicles (tenant_id, id, depot_id, spec) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (tenant_id, id) DO NOTHING",
            vehicle.tenant_id,
            vehicle.id,
            vehicle.depot_id,
            vehicle.spec.model_dump(mode="json"),
        )
        return bool(status.endswith(" 1"))

    async def update_vehicle(self, vehicle: StoredVehicle) -> bool:
        status = await self.conn.execute(
            "UPDATE vehicles SET spec = $4, updated_at = now()"
            " WHERE tenant_id = $1 AND id = $2 AND depot_id = $3",
            vehicle.tenant_id,
            vehicle.id,
            vehicle.depot_id,
            vehicle.spec.model_dump(mode="json"),
        )
        return bool(status.endswith(" 1"))

    async def delete_vehicle(self, tenant_id: str, vehicle_id: str) -> bool:
        status = await self.conn.execute(
            "DELETE FROM vehicles WHERE tenant_id = $1 AND id = $2", tenant_id, vehicle_id
        )
        return bool(status.endswith(" 1"))
