"""Provider status callbacks, inbound SMS keywords and e-mail unsubscribe links."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from lastmile_common.events.notifications import NotificationDelivered, NotificationFailed

from notifier.domain.masking import mask_phone
from notifier.domain.signing import read_unsubscribe_token
from notifier.service_layer.ports import NotifierStore, OutgoingEvent, Row

log = logging.getLogger(__name__)

FINAL_FAILED = {"undelivered", "failed"}
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
START_WORDS = {"START", "YES", "UNSTOP", "OPTIN"}


async def record_status(
    store: NotifierStore, message_sid: str, status: str, error_code: str | None
) -> bool:
    """Apply a provider status to its notification; False when no notification has that id."""
    async with store.transaction():
        row = await store.notifications.by_provider_id(message_sid)
        if row is None:
            return False
        if row["state"] in ("delivered", "failed"):
            return True  # a repeated or late callback changes nothing
        await _apply(store, row, status, error_code)
    return True


async def _apply(store: NotifierStore, row: Row, status: str, error_code: str | None) -> None:
    now = datetime.now(UTC)
    if status == "delivered":
        await store.notifications.set_final(str(row["id"]), "delivered", status, "")
        data: NotificationDelivered | NotificationFailed = NotificationDelivered(
            notification_id=str(row["id"]),
            order_id=row["order_id"],
            kind=row["kind"],
            channel=row["channel"],
            delivered_at=now,
        )
    elif status in FINAL_FAILED:
        reason = f"{status}" + (f" (error {error_code})" if error_code else "")
        await store.notifications.set_final(str(row["id"]), "failed", status, reason)
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
        await store.notifications.set_provider_status(str(row["id"]), status)
        return
    order_id = row["order_id"]
    await store.publish(
        [OutgoingEvent(data, row["tenant_id"], order_id, order_id, row["traceparent"])]
    )


async def inbound_sms(store: NotifierStore, sender: str, body: str) -> str | None:
    """Apply STOP/START keywords (for every tenant: they share the sender); return the action."""
    word = body.strip().upper()
    if word in STOP_WORDS:
        await store.opt_outs.add("*", "sms", sender, "sms keyword")
        log.info("sms opt-out", extra={"from": mask_phone(sender)})
        return "opted_out"
    if word in START_WORDS:
        await store.opt_outs.remove("*", "sms", sender)
        log.info("sms opt-in", extra={"from": mask_phone(sender)})
        return "opted_in"
    return None


async def unsubscribe(store: NotifierStore, secret: str, token: str) -> tuple[str, str] | None:
    """Opt the address an unsubscribe link names out of its tenant's e-mails; None if invalid."""
    found = read_unsubscribe_token(secret, token)
    if found is None:
        return None
    tenant_id, email = found
    await store.opt_outs.add(tenant_id, "email", email, "unsubscribe link")
    return found
