"""Notifier settings (env prefix NOTIFIER_)."""

from __future__ import annotations

from typing import Literal

from lastmile_common.settings import ServiceSettings
from lastmile_common.tracking_links import DEV_SECRET
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict


class NotifierSettings(ServiceSettings):
    """Settings of the notifier service."""

    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore", frozen=True)

    http_port: int = Field(default=8004, ge=1, le=65535)
    consumer_group: str = "notifier"
    # Where customers open the tracking page; the order's token is appended, derived with the
    # secret tracking shares (LASTMILE_TRACKING_LINK_SECRET), so even a confirmation's link works.
    tracking_base_url: str = "http://127.0.0.1:8003/track/"
    tracking_link_secret: SecretStr = SecretStr(DEV_SECRET)
    # The address providers and e-mail clients reach this service at (callbacks, unsubscribe).
    public_base_url: str = "http://127.0.0.1:8004"
    # Skip events of tenants that never stored notifier settings (shared brokers, staged rollout).
    require_tenant_settings: bool = False

    sms_provider: Literal["twilio", "sink"] = "sink"
    twilio_base_url: str = "https://api.twilio.com"
    twilio_account_sid: str = "ACdev0000000000000000000000000000"
    twilio_auth_token: SecretStr = SecretStr("dev-twilio-auth-token")
    twilio_from: str = "+15005550006"
    twilio_messaging_service_sid: str | None = None
    twilio_timeout_s: float = Field(default=10.0, gt=0)
    twilio_connections: int = Field(default=16, ge=1, description="keep-alive HTTP connections")

    email_provider: Literal["smtp", "sink"] = "sink"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    smtp_connections: int = Field(default=16, ge=1, description="SMTP sessions kept and reused")
    email_from: str = "lastmile <notifications@lastmile.local>"
    unsubscribe_secret: SecretStr = SecretStr("dev-unsubscribe-secret-change-me")

    dispatch_batch_size: int = Field(default=200, ge=1)
    dispatch_concurrency: int = Field(default=64, ge=1)
    dispatch_poll_interval_s: float = Field(default=0.02, gt=0)
    max_send_attempts: int = Field(default=5, ge=1)
    retry_backoff_initial_s: float = Field(default=1.0, gt=0)
    retry_backoff_max_s: float = Field(default=300.0, gt=0)
    # Rows left in `sending` longer than this at start are recorded as `unknown` (never resent).
    # 0 suits one replica; with several, set it above the provider timeouts.
    sending_lease_s: float = Field(default=0.0, ge=0)
    # `unknown` SMS are decided by asking the provider (Twilio's Messages list) once they have
    # been unknown this long: a request written before a crash has arrived by then or never will.
    unknown_settle_s: float = Field(default=30.0, ge=0)
    unknown_check_interval_s: float = Field(default=5.0, gt=0)
    # A directory of this process alone (a pod's emptyDir) where SMTP sends are journaled, so
    # that after a crash e-mails never handed to the relay are sent again; empty: no journal.
    send_journal_dir: str = ""
    # Mailpit's message search API of the relay (e.g. http://127.0.0.1:8025): e-mails whose
    # outcome is unknown (handed to the relay, no answer) are decided by their Message-ID there.
    # Only for a relay that stores a message before it answers 250. Empty: they stay unknown.
    email_search_url: str = ""
    email_search_username: str | None = None
    email_search_password: SecretStr | None = None
    sms_rate_per_s: float = Field(default=500.0, gt=0)
    email_rate_per_s: float = Field(default=500.0, gt=0)
    sink_max_messages: int = Field(default=500, ge=1)
