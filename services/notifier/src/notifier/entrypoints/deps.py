"""Request dependencies: settings, the pool, the request's store, the tenant, caches and sink."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from lastmile_common.http.auth import CallerKey
from lastmile_common.http.deps import ConnDep as ConnDep
from lastmile_common.http.deps import PoolDep as PoolDep

from notifier.adapters.sink import SinkBox
from notifier.adapters.store import PostgresStore
from notifier.service_layer.tenant_cache import TenantCache
from notifier.settings import NotifierSettings


def get_settings(request: Request) -> NotifierSettings:
    """The service's settings."""
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[NotifierSettings, Depends(get_settings)]


def get_store(conn: ConnDep) -> PostgresStore:
    """The notifier's store on the request's connection."""
    return PostgresStore(conn)


StoreDep = Annotated[PostgresStore, Depends(get_store)]


def tenant_id(key: CallerKey) -> str:
    """The caller's tenant (from its verified API key)."""
    return key.tenant_id


TenantDep = Annotated[str, Depends(tenant_id)]


def get_cache(request: Request) -> TenantCache:
    """This process's cache of tenant settings and templates (the consumers' too)."""
    return request.app.state.deps.cache  # type: ignore[no-any-return]


CacheDep = Annotated[TenantCache, Depends(get_cache)]


def get_sink(request: Request) -> SinkBox:
    """The local sink's mailbox."""
    return request.app.state.sink  # type: ignore[no-any-return]


SinkDep = Annotated[SinkBox, Depends(get_sink)]
