"""The audit export streams: memory stays flat however many events match, so a million events export."""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc

import pytest
from django.urls import reverse

from workbench.audit import keys
from workbench.audit.models import GENESIS_HASH, AuditEvent, AuditHead, keyed_chain_hash

EVENTS = 20_000
SMALL = 4_000


def bulk_chain(count: int) -> None:
    """Append `count` events as a valid (keyed) chain, directly (seeding is not what is measured)."""
    head = AuditHead.objects.get_or_create(pk=1)[0]
    prev, rows = head.hash, []
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for seq in range(head.seq + 1, head.seq + count + 1):
        event = AuditEvent(
            seq=seq, created_at=start + dt.timedelta(seconds=seq), actor_type="system", actor_label="system", action="check.run",
            object_type="generation.draftversion", object_id=str(seq), changes={"passed": seq % 3 != 0, "blocking": seq % 3, "warnings": 1},
            request_id="", ip="", prev_hash=prev,
        )
        event.hash = event.compute_hash(scheme=2, key=keys.audit_key())
        prev = event.hash
        rows.append(event)
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    AuditHead.objects.filter(pk=1).update(seq=rows[-1].seq, hash=prev, head_seal=keys.head_seal(rows[-1].seq, prev))


def export_peak(client, fmt: str) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(peak bytes allocated, bytes streamed, lines) of one export, consumed chunk by chunk."""
    tracemalloc.start()
    try:
        response = client.get(reverse("audit_export", args=[fmt]))
        assert response.streaming
        total = lines = 0
        for chunk in response.streaming_content:
            total += len(chunk)
            lines += chunk.count(b"\n")
        return tracemalloc.get_traced_memory()[1], total, lines
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_export_streams_in_constant_memory(fmt, client, admin_user):
    client.force_login(admin_user)
    bulk_chain(SMALL)
    export_peak(client, fmt)  # warm up: first-use allocations are not what is measured
    small_peak, small_total, _ = export_peak(client, fmt)
    bulk_chain(EVENTS - SMALL)
    peak, total, lines = export_peak(client, fmt)
    assert lines >= EVENTS
    assert total > 4 * small_total
    # Five times the rows, about the same memory: rows are fetched in chunks, never all at once.
    assert peak < 1.5 * small_peak, f"peak {peak / 1e6:.1f} MB for {EVENTS:,} events vs {small_peak / 1e6:.1f} MB for {SMALL:,}"


@pytest.mark.django_db
def test_a_full_export_verifies_against_the_chain(client, admin_user):
    """What compliance takes away can be re-verified outside Copydesk, by whoever holds the audit key:
    each line's hash is the HMAC-SHA-256, under the key, of the previous hash and the line's fields."""
    bulk_chain(50)
    assert AuditHead.objects.get(pk=1).seq == 50
    client.force_login(admin_user)
    response = client.get(reverse("audit_export", args=["jsonl"]))
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    prev = GENESIS_HASH
    for line in lines:
        payload = {k: line[k] for k in ("seq", "actor_type", "actor_id", "actor_label", "action", "object_type", "object_id", "changes", "request_id", "client_request_id", "ip")}
        payload["created_at"], payload["client_request_id"] = line["created_at"], payload["client_request_id"] or ""
        assert line["prev_hash"] == prev
        assert keyed_chain_hash(keys.audit_key(), prev, payload) == line["hash"], f"event #{line['seq']} does not recompute"
        prev = line["hash"]
