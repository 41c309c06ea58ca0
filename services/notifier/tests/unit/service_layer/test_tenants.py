"""The tenant API's use cases on the in-memory store: settings, templates, previews."""

from __future__ import annotations

import pytest
from notifier.domain.builtin_templates import TemplateSource
from notifier.domain.config import TenantConfig
from notifier.service_layer import tenants
from notifier.service_layer.rendering import TemplateInvalid
from notifier.service_layer.tenant_cache import TenantCache

from ...fakes import FakeStore

SLOT = ("out_for_delivery", "sms", "de")


async def test_a_change_is_seen_at_once_by_this_process() -> None:
    store, cache = FakeStore(), TenantCache(ttl_s=60)
    assert await tenants.settings_of(store, "t1") == TenantConfig()
    assert await cache.config(store, "t1") is None  # cached: no settings stored
    await tenants.replace_settings(store, cache, "t1", TenantConfig(brand_name="Acme"))
    assert (await cache.config(store, "t1")) == TenantConfig(brand_name="Acme")
    await tenants.put_template(store, cache, "t1", SLOT, TemplateSource("{{ brand }} hi"))
    assert set(await cache.templates(store, "t1", "out_for_delivery", "sms")) == {"de"}
    assert await tenants.delete_template(store, cache, "t1", SLOT)
    assert await cache.templates(store, "t1", "out_for_delivery", "sms") == {}
    assert not await tenants.delete_template(store, cache, "t1", SLOT)


async def test_a_template_that_does_not_render_is_not_stored() -> None:
    store, cache = FakeStore(), TenantCache()
    with pytest.raises(TemplateInvalid) as refused:
        await tenants.put_template(store, cache, "t1", SLOT, TemplateSource("{{ brand"))
    assert refused.value.part == "text"
    assert await tenants.templates_of(store, "t1") == []


async def test_preview_falls_back_and_counts_sms_segments() -> None:
    store, cache = FakeStore(), TenantCache()
    await tenants.replace_settings(store, cache, "t1", TenantConfig(brand_name="Acme"))
    builtin = await tenants.preview(store, "t1", ("confirmed", "sms", "fr"), None, {})
    assert builtin.origin == "builtin:en" and builtin.segments is not None
    await tenants.put_template(store, cache, "t1", SLOT, TemplateSource("{{ brand }}: {{ name }}"))
    own = await tenants.preview(store, "t1", ("out_for_delivery", "sms", "de-AT"), None, {})
    assert (own.origin, own.rendered.text) == ("tenant:de", "Acme: Jane")
    given = TemplateSource("Hi {{ x }}", origin="request")
    mail = await tenants.preview(store, "t1", ("confirmed", "email", "en"), given, {"x": 1})
    assert (mail.rendered.text, mail.segments) == ("Hi 1", None)
    with pytest.raises(TemplateInvalid):
        await tenants.preview(store, "t1", SLOT, TemplateSource("{{ unknown }}"), {})
