"""The PlannerStore contract on the in-memory fake the service-layer tests run on."""

from __future__ import annotations

import pytest

from ...store_contract import PlannerStoreContract
from .fakes import FakeStore


class TestFakePlannerStore(PlannerStoreContract):
    @pytest.fixture
    def store(self) -> FakeStore:
        return FakeStore()
