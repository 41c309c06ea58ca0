"""One round trip for a new order: store its contact and take its confirmation keys."""

from __future__ import annotations

from collections.abc import Sequence

from lastmile_common.db.pool import Connection
from lastmile_common.events.orders import OrderSnapshot

from notifier.adapters.notification_log import NewNotification, key_args, keys_sql
from notifier.adapters.repository import UPSERT_CONTACT, contact_args, view_of
from notifier.domain.model import OrderView

# The rows were rendered for the guessed zone and no tracking token; they are inserted only if
# the stored order agrees ($25 default zone, $26 guessed zone).
_SQL = (
    f"WITH {UPSERT_CONTACT},"
    " stored AS (SELECT up.*, d.time_zone FROM up LEFT JOIN depots d"
    " ON d.tenant_id = up.tenant_id AND d.depot_id = up.depot_id),"
    " agreed AS (SELECT EXISTS (SELECT 1 FROM stored WHERE tracking_token IS NULL"
    " AND COALESCE(time_zone, $25) = $26) AS ok),"
    f" {keys_sql(11, '(SELECT ok FROM agreed)')}"
    " SELECT stored.*, (SELECT ok FROM agreed) AS agreed,"
    " (SELECT count(*) FROM taken) AS taken FROM stored"
)


async def store_and_confirm(
    conn: Connection,
    tenant_id: str,
    order: OrderSnapshot,
    default_zone: str,
    guessed_zone: str,
    rows: Sequence[NewNotification],
) -> tuple[OrderView | None, bool]:
    """Store the contact; take `rows`' keys if the stored order matches what they assumed.

    Returns the stored order (None when a newer version is stored) and whether the rows' keys
    were dealt with here; if not, the caller renders again from the stored order.
    """
    row = await conn.fetchrow(
        _SQL,
        *contact_args(tenant_id, order),
        *key_args(rows),
        default_zone,
        guessed_zone,
    )
    if row is None:
        return None, True
    return view_of(row, default_zone), bool(row["agreed"])
