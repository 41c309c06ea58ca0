"""Settings: one pydantic-settings class per service (one env prefix each) on this shared base."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_PREFIX = "dev-"
# Platform-wide variables a service falls back to when its prefixed one is unset.
_SHARED_FALLBACKS = {
    "database_url": "DATABASE_URL",
    "kafka_bootstrap_servers": "KAFKA_BOOTSTRAP_SERVERS",
    "otel_exporter_otlp_endpoint": "OTEL_EXPORTER_OTLP_ENDPOINT",
    "api_key_secret": "LASTMILE_API_KEY_SECRET",
    "tracking_link_secret": "LASTMILE_TRACKING_LINK_SECRET",
    "environment": "LASTMILE_ENVIRONMENT",
}


@dataclass(frozen=True)
class KafkaSettings:
    """What the producer, the consumer runner and the relay need to reach Kafka."""

    bootstrap_servers: str
    idempotent_producer: bool
    linger_ms: int
    request_timeout_ms: int
    max_attempts: int
    backoff_initial_s: float
    backoff_max_s: float
    max_poll_records: int
    inbox_retention_hours: float = 192.0
    heartbeat_interval_ms: int = 500
    session_timeout_ms: int = 10_000
    join_calm_s: float = 10.0
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None

    def client_options(self) -> dict[str, Any]:
        """Connection options every aiokafka client of the service takes (TLS, SASL)."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol in ("SSL", "SASL_SSL"):
            from aiokafka.helpers import create_ssl_context

            options["ssl_context"] = create_ssl_context()
        if self.sasl_mechanism:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = self.sasl_password
        return options


class ServiceSettings(BaseSettings):
    """Settings every service has; subclasses set `env_prefix` (e.g. ORDERS_) and add their own."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    http_workers: int = Field(default=1, ge=1, le=64)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    database_url: SecretStr | None = None
    db_pool_min: int = Field(default=2, ge=1)
    db_pool_max: int = Field(default=10, ge=1)
    # PostgreSQL ends a transaction left idle this long (its process frozen: SIGSTOP, a stalled
    # node) and frees its row locks; None: never (a service whose transactions may wait on
    # other work, as the planner's may on a search, keeps it unset).
    db_idle_in_transaction_s: float | None = Field(default=None, gt=0)
    kafka_bootstrap_servers: str | None = None
    kafka_idempotent_producer: bool = False
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_linger_ms: int = Field(default=5, ge=0)
    kafka_request_timeout_ms: int = Field(default=30_000, ge=1000)
    consumer_max_attempts: int = Field(default=5, ge=1, le=100)
    consumer_backoff_initial_s: float = Field(default=0.2, gt=0)
    consumer_backoff_max_s: float = Field(default=5.0, gt=0)
    consumer_max_poll_records: int = Field(default=500, ge=1)
    # How soon a member learns of a rebalance (another member joined or left): every partition
    # of the group waits for the slowest member to notice, so this bounds the pause of a
    # rolling deploy; aiokafka's 3 s default made each of its rebalances up to 3 s longer.
    consumer_heartbeat_interval_ms: int = Field(default=500, ge=100)
    # How long a member that stopped heartbeating (killed, frozen) keeps its partitions.
    consumer_session_timeout_ms: int = Field(default=10_000, ge=1000)
    # A consumer group that keeps state per partition (rebalance hooks) is joined only once it
    # has been stable this long, and a replica that joined others is ready only once it is
    # stable this long again (0: at once); see kafka/group_settle.py.
    consumer_join_calm_s: float = Field(default=10.0, ge=0)
    # Longer than any topic keeps an event (168 h), so a redelivery always meets its claim.
    consumer_inbox_retention_hours: float = Field(default=192.0, gt=0)
    outbox_batch_size: int = Field(default=500, ge=1)
    outbox_poll_interval_s: float = Field(default=0.2, gt=0)
    otel_exporter_otlp_endpoint: str | None = None
    api_key_secret: SecretStr = SecretStr("dev-api-key-secret-change-me")
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    migrate_on_start: bool = True

    @model_validator(mode="before")
    @classmethod
    def _shared_fallbacks(cls, values: dict[str, object]) -> dict[str, object]:
        for field_name, variable in _SHARED_FALLBACKS.items():
            if values.get(field_name) in (None, "") and os.environ.get(variable):
                values[field_name] = os.environ[variable]
        return values

    @model_validator(mode="after")
    def _no_dev_secrets_in_production(self) -> ServiceSettings:
        if self.environment != "production":
            return self
        for name, value in self:
            if isinstance(value, SecretStr) and value.get_secret_value().startswith(
                DEV_SECRET_PREFIX
            ):
                raise ValueError(f"{name} still has its development value; set it for production")
        if self.database_url is None or self.kafka_bootstrap_servers is None:
            raise ValueError("production needs database_url and kafka_bootstrap_servers")
        return self

    def require_database_url(self) -> str:
        """The database URL, or an error naming the variables to set."""
        if self.database_url is None:
            raise RuntimeError("set DATABASE_URL (or the service's own *_DATABASE_URL)")
        return self.database_url.get_secret_value()

    def kafka(self) -> KafkaSettings:
        """The Kafka part of the settings, or an error naming the variable to set."""
        if not self.kafka_bootstrap_servers:
            raise RuntimeError("set KAFKA_BOOTSTRAP_SERVERS (or the service's own prefixed one)")
        return KafkaSettings(
            bootstrap_servers=self.kafka_bootstrap_servers,
            idempotent_producer=self.kafka_idempotent_producer,
            linger_ms=self.kafka_linger_ms,
            request_timeout_ms=self.kafka_request_timeout_ms,
            max_attempts=self.consumer_max_attempts,
            backoff_initial_s=self.consumer_backoff_initial_s,
            backoff_max_s=self.consumer_backoff_max_s,
            max_poll_records=self.consumer_max_poll_records,
            inbox_retention_hours=self.consumer_inbox_retention_hours,
            heartbeat_interval_ms=self.consumer_heartbeat_interval_ms,
            session_timeout_ms=self.consumer_session_timeout_ms,
            join_calm_s=self.consumer_join_calm_s,
            security_protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            sasl_username=self.kafka_sasl_username,
            sasl_password=(
                self.kafka_sasl_password.get_secret_value() if self.kafka_sasl_password else None
            ),
        )
