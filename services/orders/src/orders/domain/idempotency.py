"""Idempotency keys: the same key with the same body is the same order; another body conflicts."""

import hashlib
import json

from lastmile_common.events.orders import OrderSpec


def request_fingerprint(spec: OrderSpec) -> str:
    """A stable hash of a validated order request."""
    canonical = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
