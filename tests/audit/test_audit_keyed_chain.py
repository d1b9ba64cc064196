"""The audit chain is keyed with a secret kept outside the database: a consistent rewrite by someone with
database access alone is caught, and chains written before keying still verify."""

from __future__ import annotations

import importlib
import types

import pytest
from django.apps import apps as django_apps
from django.db import connection

from tests.audit.test_audit_chain import maintenance, some_events, tamper, verify
from workbench.audit import keys
from workbench.audit.log import verify_chain
from workbench.audit.models import GENESIS_HASH, AuditEvent, AuditHead, chain_hash

pytestmark = pytest.mark.django_db


def rewrite_with_the_unkeyed_algorithm(*, forge: str, claim_all_legacy: bool = False) -> None:
    """What someone with write access to the database, but not the key, can do: change an event and
    recompute every hash after it with plain SHA-256, so the chain links and each hash matches its content."""
    prev = GENESIS_HASH
    with maintenance(True):
        for event in AuditEvent.objects.order_by("seq"):
            event.actor_label = forge if event.seq == 2 else event.actor_label
            event.prev_hash = prev
            event.hash = chain_hash(prev, event.canonical_payload(scheme=1))
            AuditEvent.objects.filter(pk=event.pk).update(actor_label=event.actor_label, prev_hash=prev, hash=event.hash)
            prev = event.hash
        last = AuditEvent.objects.order_by("-seq").first()
        assert last is not None
        head_update: dict[str, object] = {"seq": last.seq, "hash": last.hash}
        if claim_all_legacy:
            head_update["keyed_from"] = last.seq + 1
        AuditHead.objects.filter(pk=1).update(**head_update)


def test_a_whole_chain_rewritten_consistently_with_the_unkeyed_algorithm_fails(brand, publisher):
    some_events(publisher)
    assert verify()[0] == 0
    rewrite_with_the_unkeyed_algorithm(forge="someone-else")
    # The rewrite is internally consistent: plain SHA-256 verification (the old algorithm) passes.
    prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq"):
        assert event.prev_hash == prev and event.compute_hash(scheme=1) == event.hash
        prev = event.hash
    status, output = verify()
    assert status == 1
    assert "event #1 was altered" in output and "audit key" in output


def test_claiming_the_whole_chain_was_written_before_keying_fails(brand, publisher):
    some_events(publisher)
    rewrite_with_the_unkeyed_algorithm(forge="someone-else", claim_all_legacy=True)
    status, output = verify()
    assert status == 1
    assert "keyed seal does not match" in output


def test_removing_the_seals_fails(brand, publisher):
    some_events(publisher)
    AuditHead.objects.filter(pk=1).update(keyed_from=None, keyed_seal="")
    status, output = verify()
    assert status == 1 and "carries no keyed seal" in output


def test_cutting_the_newest_events_and_moving_the_head_fails_without_an_exported_head(brand, publisher):
    events = some_events(publisher)
    keep = events[-3]
    tamper("DELETE FROM audit_auditevent WHERE seq > %s", [keep.seq])
    AuditHead.objects.filter(pk=1).update(seq=keep.seq, hash=keep.hash)
    status, output = verify()
    assert status == 1 and "does not carry the audit key's seal" in output


def test_another_key_is_named_as_the_problem(brand, publisher, settings):
    some_events(publisher)
    settings.AUDIT_CHAIN_KEY = "another-key-" + "x" * 40
    status, output = verify()
    assert status == 1 and "not the key this chain was written with" in output


def test_a_chain_written_before_keying_verifies_and_continues_keyed(brand, publisher):
    """The migration path: events hashed with plain SHA-256 stay verifiable; the migration seals them; later events are keyed."""
    with maintenance(True):
        AuditEvent.objects.all().delete()
        AuditHead.objects.all().delete()
    legacy = AuditHead.objects.create(pk=1)  # a head as it was before keying: no seals
    prev = GENESIS_HASH
    for seq in range(1, 5):
        event = AuditEvent(seq=seq, created_at=legacy_time(seq), actor_type="system", actor_label="system", action="brief.create",
                           object_type="generation.brief", object_id=str(seq), changes={"n": seq}, request_id="", ip="", prev_hash=prev)
        event.hash = event.compute_hash(scheme=1)
        event.save(force_insert=True)
        prev = event.hash
    AuditHead.objects.filter(pk=1).update(seq=4, hash=prev)
    assert not verify_chain().ok, "an unsealed chain cannot be trusted"

    migration = importlib.import_module("workbench.audit.migrations.0003_keyed_chain")
    migration.seal_existing_chain(django_apps, types.SimpleNamespace(connection=connection))
    assert verify_chain().ok
    assert AuditHead.objects.get(pk=1).keyed_from == 5

    some_events(publisher, count=2)
    report = verify_chain()
    assert report.ok and report.count == 6
    newest = AuditEvent.objects.order_by("-seq").first()
    assert newest is not None and newest.hash != newest.compute_hash(scheme=1), "events after the seal are keyed"

    # Rewriting the legacy part consistently changes the sealed hash.
    rewrite_with_the_unkeyed_algorithm(forge="someone-else", claim_all_legacy=False)
    assert not verify_chain().ok


def legacy_time(seq: int):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=seq)


def test_the_key_lives_outside_the_database(brand, publisher):
    some_events(publisher, count=1)
    key = keys.audit_key().decode()
    with connection.cursor() as cursor:
        for table in ("audit_auditevent", "audit_audithead"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            assert key not in repr(cursor.fetchall())
