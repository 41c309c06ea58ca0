"""The NotifierStore contract's second half: the notification log and `unknown` messages, as the
dispatcher, callbacks and recovery use them. Claims are global, so each test keeps to its ids."""

from __future__ import annotations

from notifier.domain.recovery import UNDECIDED, Verdict
from notifier.service_layer.ports import NotifierStore

from .store_contract import LATER, PAST, fresh, row

# A notification row's columns: the history API and the dispatcher read them by name.
COLUMNS = {
    "id", "tenant_id", "order_id", "kind", "scope", "version", "channel", "state", "address",
    "subject", "body_text", "body_html", "segments", "attempts", "next_attempt_at",
    "expires_at", "event_time", "provider_message_id", "provider_status", "reason",
    "created_at", "claimed_at", "sent_at", "finished_at", "traceparent",
}  # fmt: skip


async def taken(store: NotifierStore, *rows: object) -> list[str]:
    """Insert each row as its own intent; the ids taken."""
    ids: list[str] = []
    for r in rows:
        ids += await store.notifications.insert_many([r])  # type: ignore[list-item]
    return ids


async def claimed(store: NotifierStore, ids: list[str]) -> list[str]:
    """Claim everything due; the claimed ids among `ids`."""
    return [
        str(r["id"]) for r in await store.notifications.claim_due(10_000) if str(r["id"]) in ids
    ]


async def states(store: NotifierStore, tenant: str) -> dict[str, tuple[str, str]]:
    """(state, reason) by id of a tenant's rows."""
    rows = await store.notifications.history(tenant, None, 100)
    return {str(r["id"]): (r["state"], r["reason"]) for r in rows}


class LogContract:
    """The notification log and `unknown` messages; a subclass provides `store`."""

    async def test_a_key_is_taken_once(self, store: NotifierStore) -> None:
        tenant, order = fresh("t"), fresh("o")
        both = [row(tenant, order), row(tenant, order, channel="email")]
        assert len(await store.notifications.insert_many(both)) == 2
        assert await store.notifications.insert_many(both) == []
        other_version = row(tenant, order, version=2)
        assert len(await store.notifications.insert_many([other_version])) == 1

    async def test_only_due_rows_are_claimed_and_stale_ones_dropped(
        self, store: NotifierStore
    ) -> None:
        tenant = fresh("t")
        due, later, stale = await taken(
            store,
            row(tenant, fresh("o")),
            row(tenant, fresh("o"), next_attempt_at=LATER),
            row(tenant, fresh("o"), expires_at=PAST),
        )
        assert await claimed(store, [due, later, stale]) == [due]
        [claim] = [
            r for r in await store.notifications.history(tenant, None, 10) if str(r["id"]) == due
        ]
        assert (claim["state"], claim["attempts"]) == ("sending", 1)
        now = await states(store, tenant)
        assert now[later] == ("pending", "") and now[stale] == ("dropped", "stale")
        assert await claimed(store, [due, later, stale]) == []

    async def test_finish_records_outcomes_of_rows_still_sending(
        self, store: NotifierStore
    ) -> None:
        tenant = fresh("t")
        sent, retry, untouched = ids = await taken(
            store, *(row(tenant, fresh("o")) for _ in range(3))
        )
        assert sorted(await claimed(store, ids)) == sorted(ids)
        await store.notifications.finish([
            (sent, "sent", "SM1", "", None, 0),
            (retry, "pending", None, "timeout", LATER, -1),
        ])  # fmt: skip
        await store.notifications.finish([(sent, "failed", None, "too late", None, 0)])
        now = await states(store, tenant)
        assert now[sent] == ("sent", "") and now[retry] == ("pending", "timeout")
        assert now[untouched] == ("sending", "")
        assert await claimed(store, ids) == []  # the retry waits for its time
        found = await store.notifications.by_provider_id("SM1")
        assert found is not None and str(found["id"]) == sent
        [kept] = [
            r for r in await store.notifications.history(tenant, None, 10) if str(r["id"]) == retry
        ]
        assert kept["attempts"] == 0

    async def test_drop_pending_drops_only_pending_rows_of_those_kinds(
        self, store: NotifierStore
    ) -> None:
        tenant, order = fresh("t"), fresh("o")
        eta, arriving, sending = await taken(
            store,
            row(tenant, order, kind="eta_changed", next_attempt_at=LATER),
            row(tenant, order, kind="arriving", next_attempt_at=LATER),
            row(tenant, order, kind="eta_changed", version=2),
        )
        await claimed(store, [sending])
        assert await store.notifications.drop_pending(tenant, order, ["eta_changed"], "newer") == 1
        now = await states(store, tenant)
        assert now[eta] == ("dropped", "newer") and now[arriving][0] == "pending"
        assert now[sending][0] == "sending"

    async def test_provider_statuses_and_final_states(self, store: NotifierStore) -> None:
        tenant = fresh("t")
        [nid] = await taken(store, row(tenant, fresh("o")))
        await claimed(store, [nid])
        sid = fresh("SM")
        await store.notifications.finish([(nid, "sent", sid, "", None, 0)])
        await store.notifications.set_provider_status(nid, "queued")
        found = await store.notifications.by_provider_id(sid)
        assert found is not None and (found["state"], found["provider_status"]) == (
            "sent",
            "queued",
        )
        await store.notifications.set_final(nid, "failed", "undelivered", "30003")
        found = await store.notifications.by_provider_id(sid)
        assert found is not None
        assert (found["state"], found["provider_status"], found["reason"]) == (
            "failed", "undelivered", "30003"
        )  # fmt: skip
        assert await store.notifications.by_provider_id(fresh("SM")) is None

    async def test_history_is_per_tenant_and_order_up_to_the_limit(
        self, store: NotifierStore
    ) -> None:
        tenant, order = fresh("t"), fresh("o")
        await taken(store, row(tenant, order), row(tenant, order, kind="arriving"))
        await taken(store, row(tenant, fresh("o")), row(fresh("t"), order))
        rows = await store.notifications.history(tenant, None, 10)
        assert len(rows) == 3 and all(set(dict(r)) == COLUMNS for r in rows)
        assert {r["kind"] for r in await store.notifications.history(tenant, order, 10)} == {
            "confirmed", "arriving"
        }  # fmt: skip
        assert len(await store.notifications.history(tenant, None, 2)) == 2

    async def test_a_crash_leaves_unknown_rows_past_the_lease(self, store: NotifierStore) -> None:
        tenant = fresh("t")
        ids = await taken(store, row(tenant, fresh("o")), row(tenant, fresh("o"), channel="email"))
        await claimed(store, ids)
        await store.notifications.recover_sending(3600)
        assert {s for s, _ in (await states(store, tenant)).values()} == {"sending"}
        assert await store.notifications.recover_sending(0) >= 2
        assert {s for s, _ in (await states(store, tenant)).values()} == {"unknown"}
        sms = [str(r["id"]) for r in await store.unknown.undecided("sms", 0, 10_000)]
        assert ids[0] in sms and ids[1] not in sms
        assert ids[0] not in [
            str(r["id"]) for r in await store.unknown.undecided("sms", 3600, 10_000)
        ]
        opened = await store.unknown.open_among(ids)
        assert sorted(opened) == sorted(
            (i, c, "unknown") for i, c in zip(ids, ("sms", "email"), strict=True)
        )

    async def test_verdicts_apply_to_unknown_rows_only(self, store: NotifierStore) -> None:
        tenant = fresh("t")
        sms, email, later = ids = await taken(
            store, row(tenant, fresh("o")), row(tenant, fresh("o"), channel="email"),
            row(tenant, fresh("o")),
        )  # fmt: skip
        await claimed(store, ids)
        await store.notifications.recover_sending(0)
        sid = fresh("SM")
        await store.unknown.record([Verdict(email, "unknown", f"{UNDECIDED}: no journal")])
        changed = await store.unknown.record([
            Verdict(sms, "sent", "found", sid, "delivered"),
            Verdict(later, "pending", "never arrived"),
        ])  # fmt: skip
        assert sorted(str(r["id"]) for r in changed) == sorted([sms, later])
        assert await store.unknown.record([Verdict(sms, "failed", "again")]) == []
        now = await states(store, tenant)
        assert now[sms] == ("sent", "found") and now[later] == ("pending", "never arrived")
        assert await store.unknown.known_sids([sid, fresh("SM")]) == {sid}
        assert email not in [
            str(r["id"]) for r in await store.unknown.undecided("email", 0, 10_000)
        ]
        assert await claimed(store, ids) == [later]  # a `pending` verdict is due again
