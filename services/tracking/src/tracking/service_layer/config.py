"""Tuning of the tracker, built from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from lastmile_common.tracking_links import DEV_SECRET

from tracking.domain.eta import EtaConfig
from tracking.domain.eta_error import WindowConfig
from tracking.domain.eta_policy import PublishPolicy
from tracking.domain.fixes import FilterConfig
from tracking.domain.off_route import OffRouteConfig
from tracking.domain.pace import PaceConfig
from tracking.domain.progress import ProgressConfig
from tracking.domain.travel import TravelTimes
from tracking.settings import TrackingSettings


@dataclass(frozen=True)
class TrackerConfig:
    """Every threshold the tracker uses."""

    filter: FilterConfig = field(default_factory=FilterConfig)
    progress: ProgressConfig = field(default_factory=ProgressConfig)
    eta: EtaConfig = field(default_factory=EtaConfig)
    policy: PublishPolicy = field(default_factory=PublishPolicy)
    off_route: OffRouteConfig = field(default_factory=OffRouteConfig)
    travel: TravelTimes = field(default_factory=TravelTimes)
    pace: PaceConfig = field(default_factory=PaceConfig)
    windows: WindowConfig = field(default_factory=WindowConfig)
    fleet_pace_every_s: float = 300.0  # the fleet's pace is summed again after this much ping time
    # Earlier days of a depot the fleet's pace starts from: the routes tracking keeps, and
    # recovers after a restart (those updated within the tokens' lifetime, 2 days).
    pace_history_days: int = 2
    eta_recompute_s: float = 15.0
    pending_max: int = 2000
    token_ttl_s: int = 2 * 86400
    link_secret: str = DEV_SECRET
    retention_days: int = 30
    far_m: float = 200.0
    stream_interval_s: float = 1.0


def config_from(settings: TrackingSettings) -> TrackerConfig:
    """The tracker configuration of a service's settings."""
    return TrackerConfig(
        filter=FilterConfig(
            max_accuracy_m=settings.max_accuracy_m,
            max_speed_mps=settings.max_speed_mps,
            max_clock_ahead_s=settings.max_clock_ahead_s,
        ),
        progress=ProgressConfig(
            depot_radius_m=settings.depot_radius_m,
            early_start_s=settings.early_start_s,
            stop_radius_m=settings.stop_radius_m,
            dwell_s=settings.dwell_s,
        ),
        policy=PublishPolicy(
            threshold_s=settings.eta_threshold_s,
            min_interval_s=settings.eta_min_interval_s,
            material_s=settings.eta_material_s,
        ),
        travel=TravelTimes(detour_factor=settings.detour_factor),
        off_route=OffRouteConfig(
            threshold_m=settings.off_route_m,
            sustained_s=settings.off_route_after_s,
            check_every_s=settings.off_route_check_s,
        ),
        eta_recompute_s=settings.eta_recompute_s,
        pending_max=settings.pending_pings_max,
        token_ttl_s=settings.token_ttl_after_route_s,
        link_secret=settings.tracking_link_secret.get_secret_value(),
        retention_days=settings.ping_retention_days,
        far_m=settings.far_from_address_m,
        stream_interval_s=settings.stream_position_interval_s,
    )
