"""The proofs component: the configured storage, and an hourly sweep of expired proofs."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lastmile_common.runtime import Runtime
from obstore.store import S3Store
from starlette.datastructures import State

from tracking.adapters.proof_files import LocalProofStorage, S3ProofStorage
from tracking.adapters.proof_rows import PgProofRecords
from tracking.domain.media import MediaLimits
from tracking.service_layer.proof_ports import ProofStorage
from tracking.service_layer.proofs import Proofs
from tracking.settings import TrackingSettings

SWEEP_EVERY_S = 3600.0
log = logging.getLogger(__name__)


def proof_storage(settings: TrackingSettings) -> ProofStorage:
    """The storage the settings name: a local folder by default, else an S3 bucket."""
    if settings.proof_storage == "local":
        state_dir = Path(os.environ.get("LASTMILE_STATE_DIR", ".lastmile"))
        return LocalProofStorage(Path(settings.proof_dir or state_dir / "proofs"))
    if not settings.proof_s3_bucket:
        raise ValueError("TRACKING_PROOF_S3_BUCKET is required with proof_storage=s3")
    secret = settings.proof_s3_secret_access_key
    config = {
        "region": settings.proof_s3_region,
        **({"endpoint": settings.proof_s3_endpoint} if settings.proof_s3_endpoint else {}),
        **(
            {"access_key_id": settings.proof_s3_access_key_id}
            if settings.proof_s3_access_key_id
            else {}
        ),
        **({"secret_access_key": secret.get_secret_value()} if secret else {}),
    }
    store = S3Store(
        settings.proof_s3_bucket,
        prefix=settings.proof_s3_prefix or None,
        config=config,  # type: ignore[arg-type]
        client_options={"allow_http": settings.proof_s3_allow_http},
    )
    return S3ProofStorage(store)


class ProofKeeping:
    """Publishes `state.proofs`; deletes expired proofs at start and every hour."""

    name = "proofs"

    def __init__(self, settings: TrackingSettings, storage: ProofStorage | None = None) -> None:
        self.proofs = Proofs(
            storage or proof_storage(settings),
            PgProofRecords(),
            MediaLimits(settings.proof_photo_max_bytes, settings.proof_signature_max_bytes),
            timedelta(days=settings.proof_retention_days),
        )
        self._task: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def run(self, runtime: Runtime, state: State) -> AsyncIterator[None]:
        """Start the sweep loop; stop it on exit."""
        state.proofs = self.proofs
        self._task = asyncio.create_task(self._sweep(runtime))
        try:
            yield
        finally:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _sweep(self, runtime: Runtime) -> None:
        while True:
            try:
                async with runtime.pool.acquire() as conn:
                    removed = await self.proofs.expire(conn, datetime.now(UTC))
                if removed:
                    log.info("expired proofs deleted", extra={"count": removed})
            except Exception:
                log.exception("proof retention sweep failed; retried in an hour")
            await asyncio.sleep(SWEEP_EVERY_S)

    async def ready(self) -> bool:
        """The sweep loop is alive."""
        return self._task is not None and not self._task.done()
