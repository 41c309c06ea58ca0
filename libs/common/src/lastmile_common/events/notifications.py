"""The notification context: notification.sent, notification.failed, notification.delivered."""

from typing import Literal

from lastmile_common.events.base import EventData, UtcDatetime

NotificationKind = Literal[
    "confirmed", "out_for_delivery", "eta_changed", "arriving", "delivered", "failed"
]
NotificationChannel = Literal["sms", "email", "sink"]


class NotificationSent(EventData):
    """A message was handed to a provider."""

    notification_id: str
    order_id: str
    kind: NotificationKind
    channel: NotificationChannel
    version: int = 1
    sent_at: UtcDatetime
    provider_message_id: str | None = None


class NotificationFailed(EventData):
    """A message could not be sent, and will not be retried."""

    notification_id: str
    order_id: str
    kind: NotificationKind
    channel: NotificationChannel
    version: int = 1
    failed_at: UtcDatetime
    reason: str


class NotificationDelivered(EventData):
    """The provider reported the message delivered to the handset or mailbox."""

    notification_id: str
    order_id: str
    kind: NotificationKind
    channel: NotificationChannel
    delivered_at: UtcDatetime
