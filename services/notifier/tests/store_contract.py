"""One contract for the NotifierStore port, run against the in-memory fake (unit) and the
PostgreSQL store (integration): what the use cases rely on of orders, depots, settings,
templates and opt-outs. The notification log's half is in `log_contract.py`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from notifier.domain.builtin_templates import TemplateSource
from notifier.domain.config import TenantConfig
from notifier.domain.triggers import EtaMemory
from notifier.service_layer.ports import NewNotification, NewOrder, NotifierStore
from notifier.testing import events as ev

# In PostgreSQL `now()` is the transaction's start, so "due" and "not due" keep a margin.
NOW = datetime.now(UTC)
PAST = NOW - timedelta(minutes=5)
LATER = NOW + timedelta(hours=1)

TEMPLATE_FIELDS = tuple(
    sorted(("kind", "channel", "locale", "subject", "body_text", "body_html", "updated_at"))
)


def fresh(prefix: str) -> str:
    """An id no other test (or earlier run on the same database) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def row(
    tenant: str, order: str, *, channel: str = "sms", kind: str = "confirmed", **changes: object
) -> NewNotification:
    """A pending, due notification row of one key."""
    fields: dict[str, object] = {
        "tenant_id": tenant, "order_id": order, "kind": kind, "scope": "", "version": 1,
        "channel": channel, "address": "+4915100000001" if channel == "sms" else "a@example.com",
        "subject": "", "body_text": "Hi", "body_html": "", "segments": 1, "state": "pending",
        "reason": "", "next_attempt_at": PAST, "expires_at": None, "event_time": None,
    }  # fmt: skip
    fields.update(changes)
    return NewNotification(**fields)  # type: ignore[arg-type]


def snapshot(order: str, *, version: int = 1, depot: str = "depot-1", name: str = "Jane"):  # type: ignore[no-untyped-def]
    """An order as the orders service publishes it."""
    created = ev.order_created(order, depot_id=depot)
    return created.model_copy(
        update={
            "version": version,
            "recipient": created.recipient.model_copy(update={"name": name}),
        }
    )


class OrdersContract:
    """Orders, depots, settings, templates and opt-outs; a subclass provides `store`."""

    async def test_a_stored_contact_loads_with_the_default_zone(self, store: NotifierStore) -> None:
        tenant, order = fresh("t"), fresh("o")
        view = await store.orders.upsert_contact(tenant, snapshot(order), "Europe/Berlin")
        assert view is not None and view.name == "Jane" and view.time_zone == "Europe/Berlin"
        loaded = await store.orders.load(tenant, order, "Europe/Berlin", lock=True)
        assert loaded == view
        assert loaded.channels == ("sms", "email") and loaded.eta_sequence == 0
        assert await store.orders.load(fresh("t"), order, "UTC") is None

    async def test_an_older_version_is_not_stored(self, store: NotifierStore) -> None:
        tenant, order = fresh("t"), fresh("o")
        await store.orders.upsert_contact(tenant, snapshot(order, version=2, name="New"), "UTC")
        old = snapshot(order, version=1, name="Old")
        assert await store.orders.upsert_contact(tenant, old, "UTC") is None
        assert await store.orders.upsert_contact(tenant, snapshot(order, version=2), "UTC") is None
        loaded = await store.orders.load(tenant, order, "UTC")
        assert loaded is not None and loaded.name == "New"

    async def test_a_depots_zone_is_per_tenant(self, store: NotifierStore) -> None:
        mine, other, order = fresh("t"), fresh("t"), fresh("o")
        assert await store.depots.zone(mine, "depot-1") is None
        await store.depots.set_zone(mine, "depot-1", "Asia/Tokyo")
        await store.depots.set_zone(mine, "depot-1", "Europe/Vaduz")
        assert await store.depots.zone(mine, "depot-1") == "Europe/Vaduz"
        assert await store.depots.zone(other, "depot-1") is None
        await store.orders.upsert_contact(mine, snapshot(order), "UTC")
        await store.orders.upsert_contact(other, snapshot(order), "UTC")
        mine_view = await store.orders.load(mine, order, "UTC")
        other_view = await store.orders.load(other, order, "UTC")
        assert mine_view is not None and mine_view.time_zone == "Europe/Vaduz"
        assert other_view is not None and other_view.time_zone == "UTC"

    async def test_a_plan_creates_unseen_orders_and_keeps_a_known_depot(
        self, store: NotifierStore
    ) -> None:
        tenant, known, unseen, route = fresh("t"), fresh("o"), fresh("o"), fresh("r")
        await store.orders.upsert_contact(tenant, snapshot(known, depot="depot-1"), "UTC")
        stops = [(known, PAST, NOW), (unseen, NOW, LATER)]
        await store.orders.set_plan(tenant, "depot-2", route, stops)
        planned = {v.order_id: v for v in await store.orders.on_route(tenant, route, "UTC")}
        assert set(planned) == {known, unseen}
        assert planned[known].depot_id == "depot-1" and planned[known].name == "Jane"
        assert planned[unseen].depot_id == "depot-2"
        assert (planned[unseen].planned_start, planned[unseen].planned_end) == (NOW, LATER)
        assert await store.orders.on_route(fresh("t"), route, "UTC") == []

    async def test_progress_changes_only_the_fields_given(self, store: NotifierStore) -> None:
        tenant, order = fresh("t"), fresh("o")
        await store.orders.upsert_contact(tenant, snapshot(order), "UTC")
        await store.orders.set_progress(tenant, order, tracking_token="tok", eta_sequence=5)
        await store.orders.set_progress(tenant, order, eta_sequence=3, route_id="r1")
        await store.orders.set_progress(tenant, order, eta_closed="*")
        await store.orders.set_progress(tenant, order, eta_closed="r2", notified_eta=LATER)
        view = await store.orders.load(tenant, order, "UTC")
        assert view is not None and view.name == "Jane" and view.tracking_token == "tok"
        assert (view.eta_sequence, view.route_id, view.eta_closed) == (5, "r1", "*")
        assert view.notified_eta == LATER

    async def test_progress_of_an_unseen_order_creates_it(self, store: NotifierStore) -> None:
        tenant, order = fresh("t"), fresh("o")
        await store.orders.set_progress(tenant, order, tracking_token="tok")
        view = await store.orders.load(tenant, order, "UTC")
        assert view is not None and view.tracking_token == "tok" and view.depot_id == ""

    async def test_eta_memory_is_stored_and_the_sequence_never_goes_back(
        self, store: NotifierStore
    ) -> None:
        tenant, order = fresh("t"), fresh("o")
        await store.orders.upsert_contact(tenant, snapshot(order), "UTC")
        await store.orders.set_progress(tenant, order, tracking_token="tok", eta_sequence=9)
        memory = EtaMemory(LATER, NOW, PAST, PAST, "r1")
        await store.orders.set_eta_memory(tenant, order, 4, None, memory)
        view = await store.orders.load(tenant, order, "UTC")
        assert view is not None and (view.eta_sequence, view.tracking_token) == (9, "tok")
        assert (view.notified_eta, view.eta_changed_at) == (LATER, NOW)
        assert (view.prior_eta, view.prior_changed_at, view.eta_closed) == (PAST, PAST, "r1")

    async def test_confirmation_rows_are_taken_only_when_the_guess_holds(
        self, store: NotifierStore
    ) -> None:
        tenant, good, bad, tokened = fresh("t"), fresh("o"), fresh("o"), fresh("o")
        await store.orders.set_progress(tenant, tokened, tracking_token="tok")
        items = [
            NewOrder(tenant, snapshot(o), "UTC", zone, [row(tenant, o)])
            for o, zone in ((good, "UTC"), (bad, "Asia/Tokyo"), (tokened, "UTC"))
        ]
        results = await store.orders.store_and_confirm(items)
        assert [(v is not None, agreed) for v, agreed in results] == [
            (True, True), (True, False), (True, False)
        ]  # fmt: skip
        assert [len(await store.notifications.history(tenant, o, 10)) for o in (good, bad)] == [
            1,
            0,
        ]
        again = await store.orders.store_and_confirm(items[:1])
        assert again == [(None, True)]  # the same version is stored already

    async def test_settings_read_back_as_put(self, store: NotifierStore) -> None:
        tenant = fresh("t")
        assert await store.settings.get(tenant) is None
        config = TenantConfig()
        await store.settings.put(tenant, config)
        assert await store.settings.get(tenant) == config

    async def test_templates_by_kind_channel_and_locale(self, store: NotifierStore) -> None:
        tenant = fresh("t")
        await store.templates.put(tenant, "confirmed", "sms", "", TemplateSource("old"))
        await store.templates.put(tenant, "confirmed", "sms", "", TemplateSource("Hi"))
        await store.templates.put(tenant, "confirmed", "sms", "de", TemplateSource("Hallo"))
        mail = TemplateSource("T", "S", "<p>H</p>")
        await store.templates.put(tenant, "confirmed", "email", "", mail)
        found = await store.templates.of_kind(tenant, "confirmed", "sms")
        assert found == {
            "": TemplateSource("Hi", origin="tenant:default"),
            "de": TemplateSource("Hallo", origin="tenant:de"),
        }
        email = await store.templates.of_kind(tenant, "confirmed", "email")
        assert email == {"": TemplateSource("T", "S", "<p>H</p>", origin="tenant:default")}
        assert await store.templates.of_kind(fresh("t"), "confirmed", "sms") == {}
        listed = await store.templates.all_of(tenant)
        assert {tuple(sorted(t)) for t in listed} == {TEMPLATE_FIELDS}  # what the API lists
        assert (listed[0]["subject"], listed[0]["body_html"]) == ("S", "<p>H</p>")
        assert [(t["kind"], t["channel"], t["locale"], t["body_text"]) for t in listed] == [
            ("confirmed", "email", "", "T"), ("confirmed", "sms", "", "Hi"),
            ("confirmed", "sms", "de", "Hallo"),
        ]  # fmt: skip
        assert await store.templates.delete(tenant, "confirmed", "sms", "de") is True
        assert await store.templates.delete(tenant, "confirmed", "sms", "de") is False
        assert set(await store.templates.of_kind(tenant, "confirmed", "sms")) == {""}

    async def test_an_opted_out_address_gets_its_rows_suppressed(
        self, store: NotifierStore
    ) -> None:
        tenant, other = fresh("t"), fresh("t")
        sms, email = row(tenant, fresh("o")), row(tenant, fresh("o"), channel="email")
        await store.opt_outs.add(tenant, "sms", sms.address, "STOP")
        await store.opt_outs.add(tenant, "sms", sms.address, "STOP")  # twice is fine
        await store.opt_outs.add("*", "email", email.address, "unsubscribe")
        await store.notifications.insert_many([sms])
        await store.notifications.insert_many([email])
        elsewhere = row(other, fresh("o"))
        await store.notifications.insert_many([elsewhere])
        mine = await store.notifications.history(tenant, None, 10)
        assert {(r["state"], r["reason"]) for r in mine} == {("suppressed", "opted out")}
        [theirs] = await store.notifications.history(other, None, 10)
        assert theirs["state"] == "pending"
        await store.opt_outs.remove(tenant, "sms", sms.address)
        await store.notifications.insert_many([row(tenant, fresh("o"))])
        states = sorted(r["state"] for r in await store.notifications.history(tenant, None, 10))
        assert states == ["pending", "suppressed", "suppressed"]
