"""Settings of the orders service (environment prefix ORDERS_)."""

from lastmile_common.geocoding.settings import GeocodingSettings
from lastmile_common.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from orders.domain.geocoding import Precision


class OrdersSettings(ServiceSettings):
    """Orders service settings."""

    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore", frozen=True)

    http_port: int = Field(default=8001, ge=1, le=65535)
    import_max_bytes: int = Field(default=50_000_000, ge=1024, description="bulk import body cap")
    import_max_rows: int = Field(default=100_000, ge=1)
    geocode_min_precision: Precision = Field(
        default="street",
        description="coarsest placement accepted for an address without coordinates",
    )
    proof_base_url: str = Field(
        default="http://127.0.0.1:8003/v1/proofs/",
        description="where tracking serves proofs of delivery to API keys; the order's "
        "timeline links each proof as this + its id",
    )
    geocoding: GeocodingSettings = Field(default_factory=GeocodingSettings)
