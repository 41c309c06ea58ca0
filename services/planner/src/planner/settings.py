"""Settings of the planner service (environment prefix PLANNER_)."""

from lastmile_common.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class PlannerSettings(ServiceSettings):
    """Planner service settings."""

    model_config = SettingsConfigDict(env_prefix="PLANNER_", extra="ignore", frozen=True)

    http_port: int = Field(default=8002, ge=1, le=65535)
    solver_workers: int = Field(default=1, ge=1, le=16, description="solver worker processes")
    solver_time_limit_s: float = Field(default=10.0, gt=0, le=3600)
    solver_max_time_limit_s: float = Field(default=120.0, gt=0, le=3600)
    solver_grace_s: float = Field(
        default=15.0, ge=0, description="extra wait for a worker beyond the time limit"
    )
    preview_ttl_s: float = Field(
        default=86400.0, gt=0, description="how long a preview's plan and route ids resolve"
    )
    replan_time_limit_s: float = Field(default=3.0, gt=0, le=600)
    replan_debounce_s: float = Field(default=2.0, ge=0, le=600)
    replan_poll_s: float = Field(default=0.5, gt=0, le=60)
    late_threshold_s: float = Field(
        default=300.0, ge=0, description="a stop.arrived delay above this triggers a re-plan"
    )
    cutoff_poll_s: float = Field(default=30.0, gt=0, le=3600)
    cutoff_grace_s: float = Field(
        default=3600.0, gt=0, description="a missed cut-off still runs within this many seconds"
    )
    cutoffs_enabled: bool = True
