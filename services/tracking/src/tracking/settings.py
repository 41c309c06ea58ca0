"""Settings of the tracking service (environment prefix TRACKING_)."""

from typing import Literal

from lastmile_common.settings import ServiceSettings
from lastmile_common.tracking_links import DEV_SECRET
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict


class TrackingSettings(ServiceSettings):
    """Tracking service settings."""

    model_config = SettingsConfigDict(env_prefix="TRACKING_", extra="ignore", frozen=True)

    http_port: int = Field(default=8003, ge=1, le=65535)
    # Every rebalance stops every vehicle's ETAs; the embedded broker (Tansu) ends a rebalance
    # only about half a session timeout after it began (10 s: 5-6 s, 6 s: 3-4 s), and a killed
    # replica's vehicles wait a whole one. 6 s is the least Apache Kafka accepts by default
    # (group.min.session.timeout.ms); members heartbeat every 0.5 s, and a batch gives the
    # event loop back every 20 ms, so a live replica is not taken for dead.
    consumer_session_timeout_ms: int = Field(default=6_000, ge=1000)
    # A replica frozen inside a batch holds its row locks (partition epochs, routes, inbox
    # claims), and the replica given its partitions waits on them: PostgreSQL ends that
    # transaction after this long, far above a healthy batch's pause between its claim and its
    # write (its handlers compute in memory); resumed, the frozen replica finds its transaction
    # gone and its partitions fenced.
    db_idle_in_transaction_s: float | None = Field(default=15.0, gt=0)
    ping_retention_days: int = Field(default=30, ge=1, description="ping partitions kept (days)")
    ping_flush_interval_s: float = Field(default=0.2, gt=0)
    ping_flush_rows: int = Field(default=5000, ge=1)
    pending_pings_max: int = Field(default=2000, ge=0, description="kept per vehicle w/o route")
    max_accuracy_m: float = Field(default=100.0, gt=0)
    max_speed_mps: float = Field(default=70.0, gt=0)
    max_clock_ahead_s: float = Field(default=300.0, ge=0)
    depot_radius_m: float = Field(default=150.0, gt=0)
    early_start_s: float = Field(default=3600.0, ge=0, description="a route starts this early")
    stop_radius_m: float = Field(default=60.0, gt=0)
    dwell_s: float = Field(default=30.0, ge=0)
    far_from_address_m: float = Field(default=200.0, gt=0)
    eta_recompute_s: float = Field(default=15.0, ge=0, description="per route, in ping time")
    eta_threshold_s: float = Field(default=120.0, ge=0)
    eta_min_interval_s: float = Field(default=60.0, ge=0)
    eta_material_s: float = Field(default=600.0, ge=0)
    detour_factor: float = Field(default=1.3, ge=1.0, description="straight lines: no map only")
    off_route_m: float = Field(default=60.0, gt=0, description="from the route's roads")
    off_route_after_s: float = Field(default=45.0, ge=0, description="that far, this long")
    off_route_check_s: float = Field(default=10.0, ge=0, description="per route, in ping time")
    token_ttl_after_route_s: int = Field(default=2 * 86400, ge=60)
    # Shared with the notifier (LASTMILE_TRACKING_LINK_SECRET): both derive an order's token.
    tracking_link_secret: SecretStr = SecretStr(DEV_SECRET)
    map_stops_away: int = Field(default=3, ge=0)
    map_tile_url: str | None = Field(default=None, description="e.g. https://tiles/{z}/{x}/{y}.png")
    track_refresh_s: int = Field(default=30, ge=5)
    stream_position_interval_s: float = Field(default=1.0, ge=0)
    # Proof of delivery: photos and signatures (docs/driver-app.md "Proof storage").
    proof_storage: Literal["local", "s3"] = "local"
    proof_dir: str | None = Field(default=None, description="local: default <state dir>/proofs")
    proof_s3_bucket: str = ""
    proof_s3_prefix: str = ""
    proof_s3_endpoint: str | None = Field(default=None, description="MinIO, Ceph, ...")
    proof_s3_region: str = "us-east-1"
    proof_s3_access_key_id: str | None = None
    proof_s3_secret_access_key: SecretStr | None = None
    proof_s3_allow_http: bool = False
    proof_photo_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    proof_signature_max_bytes: int = Field(default=512 * 1024, ge=1024)
    proof_retention_days: int = Field(default=90, ge=1, description="from the upload")
    device_link_base_url: str | None = Field(
        default=None, description="where phones reach tracking (default: the request's own URL)"
    )
