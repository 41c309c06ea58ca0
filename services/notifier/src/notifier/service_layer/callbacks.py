"""Provider status callbacks and inbound SMS keywords."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from lastmile_common.db import outbox
from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope, service_source
from lastmile_common.events.notifications import NotificationDelivered, NotificationFailed

from notifier.adapters import notification_log, repository
from notifier.domain.masking import mask_phone

log = logging.getLogger(__name__)

FINAL_FAILED = {"undelivered", "failed"}
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
START_WORDS = {"START", "YES", "UNSTOP", "OPTIN"}


async def record_status(
    conn: Connection, message_sid: str, status: str, error_code: str | None
) -> bool:
    """Apply a provider status to its notification; False when no notification has that id."""
    row = await notification_log.by_provider_id(conn, message_sid)
    if row is None:
        return False
    if row["state"] in ("delivered", "failed"):
        return True  # a repeated or late callback changes nothing
    now = datetime.now(UTC)
    if status == "delivered":
        await notification_log.set_final(conn, str(row["id"]), "delivered", status, "")
        data: NotificationDelivered | NotificationFailed = NotificationDelivered(
            notification_id=str(row["id"]),
            order_id=row["order_id"],
            kind=row["kind"],
            channel=row["channel"],
            delivered_at=now,
        )
    elif status in FINAL_FAILED:
        reason = f"{status}" + (f" (error {error_code})" if error_code else "")
        await notification_log.set_final(conn, str(row["id"]), "failed", status, reason)
        data = NotificationFailed(
            notification_id=str(row["id"]),
            order_id=row["order_id"],
            kind=row["kind"],
            channel=row["channel"],
            version=row["version"],
            failed_at=now,
            reason=reason,
        )
    else:
        await notification_log.set_provider_status(conn, str(row["id"]), status)
        return True
    envelope = Envelope.wrap(
        data, source=service_source("notifier"), tenant=row["tenant_id"], subject=row["order_id"]
    )
    await outbox.add(conn, [(envelope, row["order_id"])])
    return True


async def inbound_sms(conn: Connection, sender: str, body: str) -> str | None:
    """Apply STOP/START keywords (for every tenant: they share the sender); return the action."""
    word = body.strip().upper()
    if word in STOP_WORDS:
        await repository.add_opt_out(conn, "*", "sms", sender, "sms keyword")
        log.info("sms opt-out", extra={"from": mask_phone(sender)})
        return "opted_out"
    if word in START_WORDS:
        await repository.remove_opt_out(conn, "*", "sms", sender)
        log.info("sms opt-in", extra={"from": mask_phone(sender)})
        return "opted_in"
    return None
