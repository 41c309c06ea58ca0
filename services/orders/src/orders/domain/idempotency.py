"""Idempotency keys: the same key with the same body is the same order; another body conflicts."""

import hashlib
import json

from lastmile_common.events.orders import OrderSpec


def request_fingerprint(spec: OrderSpec) -> str:
    """A stable hash of a validated order request."""
    # Without the precision (added 2026-11): keys stored before it keep their fingerprints; the
    # position, which the precision describes, is part of the hash anyway.
    data = spec.model_dump(mode="json", exclude={"address": {"location_precision"}})
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
