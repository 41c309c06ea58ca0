"""The OrdersStore contract on the in-memory fake the use-case tests run on."""

from __future__ import annotations

import pytest

from ...fakes import FakeOrdersStore
from ...store_contract import OrdersStoreContract


class TestFakeOrdersStore(OrdersStoreContract):
    @pytest.fixture
    def store(self) -> FakeOrdersStore:
        return FakeOrdersStore()

    @pytest.fixture
    def tenants(self) -> tuple[str, str]:
        return ("t1", "t2")
