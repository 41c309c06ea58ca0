"""The UnitOfWork contract on the in-memory fake the service-layer tests run on."""

from __future__ import annotations

import pytest

from ...uow_contract import UnitOfWorkContract
from .fakes import FakeUnitOfWork


class TestFakeUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork()
