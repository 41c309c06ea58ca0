"""Building the configured channels from settings."""

from __future__ import annotations

from aiolimiter import AsyncLimiter

from notifier.adapters.send_journal import SendJournal
from notifier.adapters.sink import SinkBox, SinkChannel
from notifier.adapters.smtp import SmtpChannel
from notifier.adapters.twilio import TwilioChannel
from notifier.service_layer.channels import Channel
from notifier.service_layer.limits import provider_limiter
from notifier.settings import NotifierSettings

STATUS_CALLBACK_PATH = "/v1/webhooks/sms/status"


def build_channels(
    settings: NotifierSettings, box: SinkBox, journal: SendJournal | None = None
) -> dict[str, Channel]:
    """The SMS and e-mail channels the settings choose (the sink by default)."""
    sms: Channel
    if settings.sms_provider == "twilio":
        sms = TwilioChannel(
            settings.twilio_base_url,
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            settings.twilio_from,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            status_callback=settings.public_base_url.rstrip("/") + STATUS_CALLBACK_PATH,
            timeout_s=settings.twilio_timeout_s,
            connections=settings.twilio_connections,
        )
    else:
        sms = SinkChannel("sms", box)
    email: Channel
    if settings.email_provider == "smtp":
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        email = SmtpChannel(
            settings.smtp_host,
            settings.smtp_port,
            settings.email_from,
            username=settings.smtp_username,
            password=password,
            starttls=settings.smtp_starttls,
            timeout_s=settings.smtp_timeout_s,
            connections=settings.smtp_connections,
            journal=journal,
        )
    else:
        email = SinkChannel("email", box)
    return {"sms": sms, "email": email}


def build_buckets(settings: NotifierSettings) -> dict[str, AsyncLimiter]:
    """One rate limit per provider."""
    return {
        "sms": provider_limiter(settings.sms_rate_per_s),
        "email": provider_limiter(settings.email_rate_per_s),
    }
