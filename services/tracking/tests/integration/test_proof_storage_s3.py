"""The ProofStorage contract on the S3 adapter against an S3-compatible server (moto's)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import obstore
import pytest
from tracking.adapters.proof_files import S3ProofStorage
from tracking.adapters.proof_keeping import proof_storage
from tracking.settings import TrackingSettings

from ..proof_storage_contract import ProofStorageContract
from .s3 import KEY_ID, SECRET, S3Server, s3_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[S3Server]:
    with s3_server() as running:
        yield running


def s3_settings(server: S3Server, prefix: str = "") -> TrackingSettings:
    """Tracking settings naming the test server's bucket."""
    return TrackingSettings(
        proof_storage="s3",
        proof_s3_bucket=server.bucket,
        proof_s3_prefix=prefix,
        proof_s3_endpoint=server.endpoint,
        proof_s3_access_key_id=KEY_ID,
        proof_s3_secret_access_key=SECRET,
        proof_s3_allow_http=True,
    )


class TestS3ProofStorage(ProofStorageContract):
    @pytest.fixture
    def storage(self, server: S3Server) -> S3ProofStorage:
        built = proof_storage(s3_settings(server, prefix="lastmile"))
        assert isinstance(built, S3ProofStorage)
        return built

    async def test_objects_are_in_the_bucket_with_their_type(
        self, storage: S3ProofStorage, server: S3Server
    ) -> None:
        await storage.put("t9/x.svg", b"<svg/>", "image/svg+xml")
        whole = proof_storage(s3_settings(server))  # no prefix: sees the bucket's keys
        assert isinstance(whole, S3ProofStorage)
        assert await whole.get("lastmile/t9/x.svg") == b"<svg/>"
        meta = await obstore.get_async(whole._store, "lastmile/t9/x.svg")
        assert meta.attributes.get("Content-Type") == "image/svg+xml"
        async with httpx.AsyncClient() as client:  # the bucket is private
            anonymous = await client.get(f"{server.endpoint}/{server.bucket}/lastmile/t9/x.svg")
        assert anonymous.status_code == 403


def test_s3_needs_a_bucket() -> None:
    with pytest.raises(ValueError, match="BUCKET"):
        proof_storage(TrackingSettings(proof_storage="s3"))
