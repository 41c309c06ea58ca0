"""The NotifierStore contract on the in-memory fake the use-case tests run on."""

from __future__ import annotations

import pytest

from ...fakes import FakeStore
from ...log_contract import LogContract
from ...store_contract import OrdersContract


class TestFakeStore(OrdersContract, LogContract):
    @pytest.fixture
    def store(self) -> FakeStore:
        return FakeStore()
