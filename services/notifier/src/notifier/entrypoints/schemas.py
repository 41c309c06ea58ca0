"""HTTP request and response bodies of the notifier API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from notifier.domain.model import Kind

Locale = Field(default="", pattern=r"^([a-z]{2}(-[A-Z]{2})?)?$", description="'' = tenant default")


class TemplateBody(BaseModel):
    """A tenant template: Jinja2 (sandboxed); e-mail uses subject and html too."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "subject": "{{ brand }}: your order is on its way",
                    "text": "Hi {{ name }}, arriving {{ window_start }}–{{ window_end }}. {{ tracking_url }}",
                    "html": "<p>Hi {{ name }}, arriving {{ window_start }}–{{ window_end }}.</p>",
                }
            ]
        },
    )

    subject: str = Field(default="", max_length=300)
    text: str = Field(min_length=1, max_length=5000)
    html: str = Field(default="", max_length=50_000)


class PreviewRequest(BaseModel):
    """Render a template with sample data: the one given, or the tenant's effective one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "out_for_delivery",
                    "channel": "sms",
                    "locale": "de",
                    "template": {"text": "{{ brand }}: unterwegs, {{ window_start }} Uhr"},
                    "variables": {"name": "Erika"},
                }
            ]
        },
    )

    kind: Kind
    channel: Literal["sms", "email"]
    locale: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    template: TemplateBody | None = None
    variables: dict[str, str | int | float] = Field(default_factory=dict)


class PreviewResponse(BaseModel):
    """A rendered preview; SMS bodies come with their segment count."""

    origin: str
    subject: str
    text: str
    html: str
    encoding: str | None = None
    segments: int | None = None


class NotificationOut(BaseModel):
    """One notification of the log, with the address masked."""

    id: str
    order_id: str
    kind: str
    scope: str
    version: int
    channel: str
    state: str
    to: str
    segments: int | None
    attempts: int
    reason: str
    provider_message_id: str | None
    provider_status: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: Any, masked_to: str) -> NotificationOut:
        """From a database row."""
        fields = {name: row[name] for name in cls.model_fields if name not in ("id", "to")}
        return cls(id=str(row["id"]), to=masked_to, **fields)
