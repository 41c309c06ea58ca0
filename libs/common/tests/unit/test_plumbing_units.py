"""Settings, API keys, back-off and the problem-details helpers."""

from __future__ import annotations

import pytest
from lastmile_common import api_keys
from lastmile_common.events.envelope import UndecodableEvent, decode
from lastmile_common.kafka.retry import backoff_delay
from lastmile_common.settings import ServiceSettings
from pydantic import SecretStr, ValidationError


def test_production_refuses_development_secrets() -> None:
    with pytest.raises(ValidationError, match="api_key_secret"):
        ServiceSettings(
            environment="production",
            database_url=SecretStr("postgresql://x/y"),
            kafka_bootstrap_servers="k:9092",
        )
    ok = ServiceSettings(
        environment="production",
        database_url=SecretStr("postgresql://x/y"),
        kafka_bootstrap_servers="k:9092",
        api_key_secret=SecretStr("s3cr3t"),
    )
    assert ok.kafka().bootstrap_servers == "k:9092"


def test_shared_variables_are_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://shared/db")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "shared:9092")
    settings = ServiceSettings()
    assert settings.require_database_url() == "postgresql://shared/db"
    assert settings.kafka().bootstrap_servers == "shared:9092"
    own = ServiceSettings(kafka_bootstrap_servers="own:9092")
    assert own.kafka().bootstrap_servers == "own:9092"


def test_api_keys_verify_only_with_the_signing_secret() -> None:
    key = api_keys.issue("secret-a", "abc123")
    assert api_keys.verify("secret-a", key.raw) == key
    assert api_keys.verify("secret-b", key.raw) is None
    tampered = key.raw.replace("abc123", "zzz999")
    assert api_keys.verify("secret-a", tampered) is None
    assert api_keys.verify("secret-a", "not-a-key") is None
    assert key.hash != key.raw


def test_backoff_grows_and_is_capped() -> None:
    assert 0.1 <= backoff_delay(1, 0.2, 5.0) <= 0.2
    assert 0.4 <= backoff_delay(3, 0.2, 5.0) <= 0.8
    assert 2.5 <= backoff_delay(10, 0.2, 5.0) <= 5.0


def test_decode_rejects_unknown_types_and_missing_tenant() -> None:
    base = [("ce_id", b"1"), ("ce_source", b"/x"), ("ce_specversion", b"1.0")]
    with pytest.raises(UndecodableEvent, match="unknown event type"):
        decode([*base, ("ce_type", b"nope"), ("ce_tenant", b"t")], b"{}")
    with pytest.raises(UndecodableEvent, match="ce_tenant"):
        decode([*base, ("ce_type", b"ping")], b"{}")
    with pytest.raises(UndecodableEvent, match="invalid ping data"):
        decode([*base, ("ce_type", b"ping"), ("ce_tenant", b"t")], b'{"vehicle_id": "v"}')


def test_kafka_sasl_settings_reach_the_clients() -> None:
    settings = ServiceSettings(
        kafka_bootstrap_servers="k:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="orders",
        kafka_sasl_password=SecretStr("pw"),
    )
    options = settings.kafka().client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "orders"
    assert options["sasl_plain_password"] == "pw"
    assert "ssl_context" in options
    assert (
        "sasl_mechanism"
        not in ServiceSettings(kafka_bootstrap_servers="k").kafka().client_options()
    )


def test_travel_profile_rush_hours_are_slower() -> None:
    from lastmile_common.geo import haversine_m
    from lastmile_common.travel_profile import DEFAULT_PROFILE, speed_at

    assert speed_at(DEFAULT_PROFILE, 8 * 3600) < speed_at(DEFAULT_PROFILE, 12 * 3600)
    assert speed_at(DEFAULT_PROFILE, 17 * 3600) < speed_at(DEFAULT_PROFILE, 21 * 3600)
    assert speed_at(DEFAULT_PROFILE, 25 * 3600) == speed_at(DEFAULT_PROFILE, 3600)
    # Berlin Alexanderplatz to Brandenburger Tor: about 2.3 km as the crow flies.
    assert 2_200 < haversine_m(52.5219, 13.4132, 52.5163, 13.3777) < 2_600
