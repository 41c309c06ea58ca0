"""The Store contract on the in-memory fake the tracker's unit tests run on."""

from __future__ import annotations

import pytest

from ...fakes import FakeStore
from ...store_contract import StoreContract


class TestFakeStore(StoreContract):
    @pytest.fixture
    def store(self) -> FakeStore:
        return FakeStore()

    @pytest.fixture
    def conn(self) -> None:
        return None
