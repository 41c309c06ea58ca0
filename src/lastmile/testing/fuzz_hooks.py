"""Schemathesis hooks for the suite's fuzzing runs (loaded through SCHEMATHESIS_HOOKS)."""

from __future__ import annotations

import schemathesis

# The orders bulk import takes NDJSON: lines of text, sent as they are generated.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")
