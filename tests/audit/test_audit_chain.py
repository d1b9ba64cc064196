"""The hash chain: one chain under concurrent writers, tampering caught by verify_audit, triggers that refuse edits."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, close_old_connections, connection, transaction

from tests.pipeline import generate_now, make_brief
from workbench.audit.keys import audit_key
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent
from workbench.generation import actions
from workbench.generation.models import Draft
from workbench.journeys.actions import journey_create
from workbench.review import actions as review
from workbench.review.actions import unresolved_blocks

CONCURRENT_APPROVALS = 50


# --- helpers ------------------------------------------------------------------------

def verify(*args: str) -> tuple[int, str]:
    """Run verify_audit; return (exit status, everything it printed)."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def tamper(sql: str, params: list[object]) -> None:
    """Change the audit table by hand, as someone with database access would, the triggers' maintenance flag raised."""
    with maintenance(True), connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextmanager
def maintenance(on: bool) -> Iterator[None]:
    """Raise or lower the flag the append-only triggers consult, for this connection only."""
    from django.conf import settings

    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('copydesk.audit_maintenance', %s, false)", ["on" if on else "off"])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                # The suite runs with the flag raised so tables can be flushed between tests.
                cursor.execute("SELECT set_config('copydesk.audit_maintenance', 'on', false)")
        return
    before = settings.COPYDESK_AUDIT_MAINTENANCE
    settings.COPYDESK_AUDIT_MAINTENANCE = on
    try:
        yield
    finally:
        settings.COPYDESK_AUDIT_MAINTENANCE = before


def some_events(publisher, count: int = 6) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    from workbench.brand.models import Brand

    from workbench.journeys.models import Journey

    brand = Brand.objects.get(slug="northwind")
    for _ in range(count):
        index = Journey.objects.count()
        journey_create(brand=brand, slug=f"j-{index}", name=f"Journey {index}", acting_user=publisher)
    return list(AuditEvent.objects.order_by("seq"))


def run_in_threads(work: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Start every callable at once (a barrier), each in its own thread with its own connection."""
    barrier = threading.Barrier(len(work))
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(fn: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = fn()
            with lock:
                results.append(outcome)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            with lock:
                errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


# --- tampering ------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_untouched_chain_verifies_and_reports_head_and_count(brand, publisher):
    events = some_events(publisher)
    status, output = verify()
    assert status == 0
    assert f"{len(events)} events verified" in output
    assert events[-1].hash in output


@pytest.mark.django_db
def test_an_updated_event_is_named_by_verify_audit(brand, publisher):
    events = some_events(publisher)
    victim = events[3]
    tamper("UPDATE audit_auditevent SET actor_label = %s WHERE seq = %s", ["mallory", victim.seq])
    status, output = verify()
    assert status == 1
    assert f"event #{victim.seq} was altered" in output


@pytest.mark.django_db
def test_an_update_with_a_recomputed_hash_breaks_the_next_link(brand, publisher):
    events = some_events(publisher)
    victim = AuditEvent.objects.get(seq=events[2].seq)
    victim.changes = {"name": [None, "Forged"]}
    # Even someone holding the audit key, recomputing this event's hash, breaks the link to the next one.
    forged = victim.compute_hash(scheme=2, key=audit_key())
    tamper("UPDATE audit_auditevent SET changes = %s, hash = %s WHERE seq = %s", ['{"name": [null, "Forged"]}', forged, victim.seq])
    status, output = verify()
    assert status == 1
    assert f"event #{victim.seq + 1} does not link" in output


@pytest.mark.django_db
def test_a_deleted_event_is_reported_missing(brand, publisher):
    events = some_events(publisher)
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [events[2].seq])
    status, output = verify()
    assert status == 1
    assert f"event #{events[2].seq} is missing" in output


@pytest.mark.django_db
def test_deleting_the_newest_events_is_caught_by_the_head(brand, publisher):
    events = some_events(publisher)
    tamper("DELETE FROM audit_auditevent WHERE seq >= %s", [events[-2].seq])
    status, output = verify()
    assert status == 1
    assert f"events after #{events[-3].seq} are missing" in output


@pytest.mark.django_db
def test_reordered_events_are_reported(brand, publisher):
    events = some_events(publisher)
    first, second = events[2].seq, events[3].seq
    tamper("UPDATE audit_auditevent SET seq = -1 WHERE seq = %s", [first])
    tamper("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [first, second])
    tamper("UPDATE audit_auditevent SET seq = %s WHERE seq = -1", [second])
    status, output = verify()
    assert status == 1
    assert f"event #{first} does not link" in output


@pytest.mark.django_db
def test_a_rewritten_chain_is_caught_by_the_head_kept_outside(brand, publisher, tmp_path: Path):
    some_events(publisher, count=3)
    head_file = tmp_path / "head.txt"
    assert verify("--export-head", str(head_file))[0] == 0
    seq, head_hash = head_file.read_text().split()
    assert int(seq) == AuditEvent.objects.count()
    assert verify("--expect-head", head_hash)[0] == 0
    assert verify("--expect-head", str(head_file))[0] == 0
    # Wipe everything and start a fresh, internally valid chain: only the exported head notices.
    tamper("DELETE FROM audit_auditevent", [])
    tamper("UPDATE audit_audithead SET seq = 0, hash = %s", ["0" * 64])
    some_events(publisher, count=1)
    assert verify()[0] == 0
    status, output = verify("--expect-head", str(head_file))
    assert status == 1
    assert "head hash kept outside the database is not in the chain" in output


@pytest.mark.django_db
def test_since_checks_incrementally_from_an_anchor(brand, publisher):
    events = some_events(publisher)
    tamper("UPDATE audit_auditevent SET actor_label = 'x' WHERE seq = %s", [events[1].seq])
    later = events[3].seq
    status, output = verify("--since", str(later))
    assert status == 0
    assert f"{len(events) - later + 1} events verified" in output
    assert verify("--since", str(events[1].seq))[0] == 1
    assert verify()[0] == 1
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [later - 1])
    status, output = verify("--since", str(later))
    assert status == 1 and "anchor for --since" in output


@pytest.mark.django_db
def test_bad_arguments_exit_2_with_a_message(brand, publisher, tmp_path):
    from django.core.management.base import CommandError

    some_events(publisher, count=1)
    with pytest.raises(CommandError, match="--since") as caught:
        call_command("verify_audit", "--since", "0")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="head") as caught:
        call_command("verify_audit", "--expect-head", "not-a-hash")
    assert caught.value.returncode == 2


# --- triggers ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_triggers_refuse_update_and_delete_when_the_flag_is_down(brand, publisher):
    event = some_events(publisher, count=1)[-1]
    with maintenance(False):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(actor_label="mallory")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            event.actor_label = "mallory"
            event.save()
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.get(pk=event.pk).actor_label == publisher.username
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_a_connection_from_outside_copydesk_is_refused(brand, publisher):
    """psql or the sqlite3 shell know nothing of the flag, so they cannot edit or delete events."""
    event = some_events(publisher, count=1)[-1]
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        dsn = f"host={settings_dict['HOST']} port={settings_dict['PORT'] or 5432} user={settings_dict['USER']} dbname={settings_dict['NAME']}"
        for statement in ("UPDATE audit_auditevent SET actor_label = 'x'", "DELETE FROM audit_auditevent", "TRUNCATE audit_auditevent"):
            with psycopg.connect(dsn, password=settings_dict["PASSWORD"] or None) as outside:
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                    outside.execute(statement)
    else:
        outside = sqlite3.connect(settings_dict["NAME"])
        try:
            for statement in ("UPDATE audit_auditevent SET actor_label = 'x'", "DELETE FROM audit_auditevent"):
                with pytest.raises(sqlite3.OperationalError, match="copydesk_audit_maintenance"):
                    outside.execute(statement)
        finally:
            outside.close()
    assert AuditEvent.objects.get(pk=event.pk).actor_label == publisher.username
    assert verify_chain().ok


# --- concurrency ------------------------------------------------------------------------

def approvable_drafts(brand, prompt, segments, marketer, count: int) -> list[Draft]:  # type: ignore[no-untyped-def]
    drafts: list[Draft] = []
    while len(drafts) < count:
        brief = make_brief(brand, prompt, [segments["new"], segments["loyal"]], marketer, channels=["email", "sms", "push", "in_app"], variants=5)
        for draft in generate_now(brief, marketer):
            if not unresolved_blocks(draft.latest_version()):
                drafts.append(actions.draft_submit(draft, acting_user=marketer))
    return drafts[:count]


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_approvals_make_one_valid_chain(brand, prompt, segments, marketer, reviewer):
    drafts = approvable_drafts(brand, prompt, segments, marketer, CONCURRENT_APPROVALS)
    before = AuditEvent.objects.count()

    def approve(draft: Draft) -> Callable[[], object]:
        return lambda: review.review_approve(draft, version_number=1, acting_user=reviewer)

    results, errors = run_in_threads([approve(d) for d in drafts])
    assert errors == []
    assert len(results) == CONCURRENT_APPROVALS
    approvals = AuditEvent.objects.filter(action="review.approve")
    assert approvals.count() == CONCURRENT_APPROVALS
    assert AuditEvent.objects.count() == before + CONCURRENT_APPROVALS
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    report = verify_chain()
    assert report.ok, report.problem
    assert report.count == len(seqs)
