"""The audit log is a tamper-evident hash chain (issue 15.5): every event a link, `kapabel audit-verify`
names the first link that was altered, removed or inserted, and nothing changes or deletes events
through the ORM (on PostgreSQL not through SQL either, unless the trigger is switched off)."""

from __future__ import annotations

import contextlib
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from kapabel.core import audit
from kapabel.core.audit import chain
from kapabel.core.models import AppendOnlyError, AuditChainHead, AuditEvent

SYSTEM = "tests"


def verify_command() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit-verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


@contextlib.contextmanager
def trigger_off():
    """An attacker with the database owner's rights can switch PostgreSQL's guard off; the chain
    must catch what they do then. (Inside the test's transaction, so it is switched on again.)"""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred checks
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def raw(sql: str, params: list | None = None) -> None:
    with trigger_off(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def chain_a(world) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(chain=world.a.pk).order_by("seq"))


def test_every_event_is_a_link_and_every_chain_holds(world):
    events = chain_a(world)
    assert len(events) > 10
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    head = AuditChainHead.objects.get(chain=world.a.pk)
    assert (head.last_seq, head.last_hash) == (events[-1].seq, events[-1].hash)
    # One chain per municipality, and the platform's (events of no municipality) apart.
    assert {world.a.pk, world.b.pk} <= set(chain.chains())
    assert not AuditEvent.objects.filter(chain=world.a.pk).exclude(municipality=world.a).exists()
    report = chain.verify()
    assert report.ok, report.first_break
    assert verify_command()[0] == 0


@pytest.mark.parametrize(
    "column, value",
    [
        ("object_repr", "Someone Else"),  # the personal part
        ("changes", '{"name": ["A", "B"]}'),
        ("action", "tampered.action"),  # a hashed field
        ("actor_label", "innocent"),
        ("object_id", "999"),
    ],
)
def test_a_record_changed_in_the_database_is_reported(world, column, value):
    victim = chain_a(world)[5]
    raw(f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, victim.pk])  # noqa: S608
    report = chain.verify()
    assert not report.ok
    broken = report.first_break
    assert broken is not None and broken.event_id == victim.pk and broken.chain == world.a.pk
    code, output = verify_command()
    assert code == 1 and f"event #{victim.pk}" in output


def test_a_record_changed_with_its_own_hash_recomputed_breaks_the_next_link(world):
    """Recomputing the altered record's own hash does not help: the next link no longer follows."""
    events = chain_a(world)
    victim, following = events[5], events[6]
    victim.object_repr = "Forged"
    digest = chain.detail_digest(victim.detail_salt, victim.actor_label, victim.object_repr, victim.changes)
    previous = events[4].hash
    victim.detail_digest = digest
    new_hash = chain.link_hash(previous, chain._event_payload(victim))
    raw(
        "UPDATE core_auditevent SET object_repr = %s, detail_digest = %s, hash = %s WHERE id = %s",
        ["Forged", digest, new_hash, victim.pk],
    )
    broken = chain.verify().first_break
    assert broken is not None and broken.event_id == following.pk


def test_a_record_removed_from_the_middle_is_reported(world):
    events = chain_a(world)
    raw("DELETE FROM core_auditevent WHERE id = %s", [events[3].pk])
    broken = chain.verify().first_break
    assert broken is not None and broken.seq == events[3].seq and "missing" in broken.reason


def test_records_removed_from_the_end_are_reported(world):
    events = chain_a(world)
    raw("DELETE FROM core_auditevent WHERE id IN (%s, %s)", [events[-1].pk, events[-2].pk])
    broken = chain.verify().first_break
    assert broken is not None and "removed at the end" in broken.reason


def test_a_blanked_record_without_an_anonymisation_listing_it_is_reported(world):
    victim = chain_a(world)[2]
    raw(
        "UPDATE core_auditevent SET object_repr = '[…]', detail_salt = '', "
        "redacted_at = %s, redacted_by = %s WHERE id = %s",
        [victim.at, victim.pk, victim.pk],
    )
    broken = chain.verify().first_break
    assert broken is not None and broken.event_id == victim.pk and "without an anonymisation" in broken.reason


def test_the_orm_neither_changes_nor_deletes_events(world):
    event = AuditEvent.objects.filter(chain=world.a.pk).first()
    event.object_repr = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(action="x")])
    assert chain.verify().ok


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_update_and_delete_of_events(world):
    event = AuditEvent.objects.filter(chain=world.a.pk).first()
    for sql in (
        "UPDATE core_auditevent SET object_repr = 'x' WHERE id = %s",
        "UPDATE core_auditevent SET action = 'x', redacted_at = now(), redacted_by = 1 WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    # The one change allowed: blanking the personal part, once (as the anonymisation does).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET object_repr = '[…]', detail_salt = '', redacted_at = now(), "
            "redacted_by = 1 WHERE id = %s",
            [event.pk],
        )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET object_repr = 'again' WHERE id = %s", [event.pk])


def test_what_is_hashed_is_what_is_stored(world):
    """Values the JSON column changes on the way in (dates, tuples, numeric keys, whole floats) are
    hashed as stored, so a fresh read verifies."""
    import datetime
    import decimal

    audit.record(
        "tests.odd_values",
        actor=SYSTEM,
        municipality_id=world.a.pk,
        object_type="tests.thing",
        object_id="1",
        object_repr="Æble ø å",
        changes={
            "when": [None, datetime.date(2026, 2, 3)],
            "amount": [decimal.Decimal("1.50"), 2.0],
            "pair": (1, 2),
            "nested": {1: "one", "big": 1e20},
        },
    )
    assert chain.verify([world.a.pk]).ok


def _append_many(municipality_id: int, count: int, start: threading.Barrier) -> None:
    start.wait()
    try:
        for n in range(count):
            with transaction.atomic():
                audit.record(
                    "tests.concurrent",
                    actor=SYSTEM,
                    municipality_id=municipality_id,
                    object_type="tests.thing",
                    object_id=str(n),
                    object_repr=f"thing {n}",
                    changes={"n": [None, n]},
                )
    finally:
        connection.close()


def test_concurrent_appends_keep_every_chain_valid(world, concurrent_db):
    """Sixteen writers at once, on two municipalities' chains: no link is numbered twice or lost, and
    both chains verify (PostgreSQL: the head row's lock; SQLite: the database's write lock)."""
    before = {m: AuditEvent.objects.filter(chain=m).count() for m in (world.a.pk, world.b.pk)}
    threads, per_thread = 16, 8
    start = threading.Barrier(threads)
    targets = [world.a.pk if n % 4 else world.b.pk for n in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(_append_many, target, per_thread, start) for target in targets]:
            future.result()
    for municipality_id in (world.a.pk, world.b.pk):
        expected = before[municipality_id] + targets.count(municipality_id) * per_thread
        seqs = list(
            AuditEvent.objects.filter(chain=municipality_id).order_by("seq").values_list("seq", flat=True)
        )
        assert seqs == list(range(1, expected + 1))
    report = chain.verify()
    assert report.ok, report.first_break
