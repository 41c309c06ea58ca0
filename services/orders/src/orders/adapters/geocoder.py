"""The geocoder on the extract's address index: a prepared index file, or built and cached."""

from __future__ import annotations

import logging

from lastmile_common.geocoding.index import AddressIndex
from lastmile_common.geocoding.prepare import prepare_index
from lastmile_common.geocoding.settings import GeocodingSettings

from orders.domain.geocoding import Geocoder, NoGeocoder, Precision

log = logging.getLogger(__name__)


def load_geocoder(settings: GeocodingSettings, min_precision: Precision) -> Geocoder | NoGeocoder:
    """The geocoder of `settings.index_file`, else of `settings.map_file` (indexed once per
    extract content into `settings.cache_dir`); none when geocoding is disabled."""
    if not settings.enabled:
        log.warning("geocoding disabled: orders without coordinates are refused")
        return NoGeocoder()
    if settings.index_file is not None:
        return Geocoder(AddressIndex.load(settings.index_file), min_precision)
    prepared = prepare_index(settings.map_file, settings.cache_dir)
    log.info(
        "address index ready",
        extra={"index": str(prepared.path), "built_seconds": prepared.seconds},
    )
    return Geocoder(prepared.index, min_precision)
