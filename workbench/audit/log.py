"""Writing to and verifying the hash-chained audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from workbench.audit.context import current_request
from workbench.audit.models import GENESIS_HASH, Action, ActorType, AuditEvent, AuditHead

Changes = dict[str, Any]


def _actor_fields(actor: object | None) -> tuple[str, str, str]:
    if actor is None:
        return ActorType.SYSTEM, "", "system"
    if getattr(actor, "token_hash", None) is not None:
        return ActorType.API_CLIENT, str(actor.pk), str(getattr(actor, "name", ""))  # type: ignore[attr-defined]
    return ActorType.USER, str(actor.pk), str(getattr(actor, "username", ""))  # type: ignore[attr-defined]


def record(
    action: Action,
    obj: models.Model | tuple[str, object],
    *,
    actor: object | None,
    changes: Changes | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the transaction of the change")
    if not isinstance(action, Action):
        raise TypeError(f"audit actions come from the Action vocabulary, not {action!r}")
    if isinstance(obj, models.Model):
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    else:
        # Ids outside the database (a username typed at the login form) fit the column, whatever was typed.
        object_type, object_id = obj[0], str(obj[1])[: AuditEvent._meta.get_field("object_id").max_length]
    actor_type, actor_id, actor_label = _actor_fields(actor)
    context = current_request.get()
    # The row lock serialises writers: on PostgreSQL through FOR UPDATE, on
    # SQLite through the IMMEDIATE transaction that already holds the write lock.
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    event = AuditEvent(
        seq=head.seq + 1,
        created_at=timezone.now().astimezone(dt.UTC),
        actor_type=actor_type,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=changes or {},
        request_id=context.request_id,
        ip=context.ip,
        prev_hash=head.hash,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    problem: str = ""
    broken_seq: int | None = None


def verify_chain(*, since: int | None = None, expected_head: str | None = None, expected_head_seq: int | None = None) -> VerifyReport:
    """Walk the chain in order; report the first broken, missing or reordered event.

    expected_head is a head hash kept outside the database (with its sequence
    number when known): the chain must still contain it, so a chain rewritten
    from scratch, internally consistent as it may be, is caught.
    """
    events = AuditEvent.objects.order_by("seq")
    prev_hash, expected_seq = GENESIS_HASH, 1
    if since is not None and since > 1:
        anchor = AuditEvent.objects.filter(seq=since - 1).first()
        if anchor is None:
            return VerifyReport(False, 0, 0, "", f"event #{since - 1} (the anchor for --since) is missing", since - 1)
        prev_hash, expected_seq = anchor.hash, since
        events = events.filter(seq__gte=since)
    count, last_seq, last_hash = 0, expected_seq - 1, prev_hash
    for event in _iterate(events):
        if event.seq != expected_seq:
            kind = "missing" if event.seq > expected_seq else "reordered"
            return VerifyReport(False, count, last_seq, last_hash, f"event #{expected_seq} is {kind} (found #{event.seq} next)", expected_seq)
        if event.prev_hash != prev_hash:
            return VerifyReport(False, count, last_seq, last_hash, f"event #{event.seq} does not link to the event before it", event.seq)
        if event.compute_hash() != event.hash:
            return VerifyReport(False, count, last_seq, last_hash, f"event #{event.seq} was altered: its hash does not match its content", event.seq)
        prev_hash, last_seq, last_hash = event.hash, event.seq, event.hash
        expected_seq += 1
        count += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (last_seq, last_hash) and since is None:
        return VerifyReport(False, count, last_seq, last_hash, f"the chain ends at #{last_seq} but the head says #{head.seq}: events after #{last_seq} are missing", last_seq + 1)
    if expected_head is not None and not _contains(expected_head, expected_head_seq):
        return VerifyReport(False, count, last_seq, last_hash, "the exported head hash kept outside the database is not in the chain", None)
    return VerifyReport(True, count, last_seq, last_hash)


def _contains(head_hash: str, head_seq: int | None) -> bool:
    events = AuditEvent.objects.filter(hash=head_hash)
    return (events.filter(seq=head_seq) if head_seq is not None else events).exists()


def _iterate(events: models.QuerySet[AuditEvent]) -> Iterator[AuditEvent]:
    return events.iterator(chunk_size=2000)
