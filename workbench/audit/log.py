"""Writing to and verifying the hash-chained audit log."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from workbench.audit import keys
from workbench.audit.context import current_request
from workbench.audit.models import GENESIS_HASH, Action, ActorType, AuditEvent, AuditHead

Changes = dict[str, Any]

# Lone surrogates cannot be encoded as UTF-8 and NUL cannot be stored by PostgreSQL: either, typed
# into a login form or sent in API JSON, would make the event (and the change it records) fail.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    """The value with every string made storable and encodable (unstorable characters become U+FFFD)."""
    if isinstance(value, str):
        return UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [storable(v) for v in value]
    return value


def _column(name: str, value: str) -> str:
    """Text cut to its column's length (SQLite would store more, PostgreSQL would refuse it)."""
    field = AuditEvent._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length
    return str(storable(value))[: field.max_length]


def _actor_fields(actor: object | None) -> tuple[str, str, str]:
    if actor is None:
        return ActorType.SYSTEM, "", "system"
    if getattr(actor, "is_system_actor", False):  # workbench.access.SystemActor, named by the part of Copydesk acting
        return ActorType.SYSTEM, "", str(getattr(actor, "name", "system"))
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
        object_type, object_id = obj[0], str(obj[1])
    actor_type, actor_id, actor_label = _actor_fields(actor)
    context = current_request.get()
    key = keys.audit_key()
    # The row lock serialises writers: on PostgreSQL through FOR UPDATE, on
    # SQLite through the IMMEDIATE transaction that already holds the write lock.
    # A missing head (a fresh or flushed database) starts a chain keyed from its first event.
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1, defaults=keys.genesis_fields())
    event = AuditEvent(
        seq=head.seq + 1,
        created_at=timezone.now().astimezone(dt.UTC),
        actor_type=actor_type,
        actor_id=_column("actor_id", actor_id),
        actor_label=_column("actor_label", actor_label),
        action=action,
        object_type=_column("object_type", object_type),
        object_id=_column("object_id", object_id),
        changes=storable(changes or {}),
        request_id=_column("request_id", context.request_id),
        client_request_id=_column("client_request_id", context.client_request_id),
        ip=_column("ip", context.ip),
        prev_hash=head.hash,
    )
    # Every new event is keyed; only events written before keying existed are verified with plain SHA-256.
    event.hash = event.compute_hash(scheme=2, key=key)
    event.save(force_insert=True)
    head.seq, head.hash, head.head_seal = event.seq, event.hash, keys.head_seal(event.seq, event.hash, key)
    head.save(update_fields=["seq", "hash", "head_seal"])
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

    Events from the head's keyed_from on must carry HMAC-SHA-256 hashes made with the audit
    key kept outside the database, and the head's seals (also keyed) fix where keying starts and
    where the chain ends: a chain rewritten consistently by someone without the key fails.
    expected_head is a head hash kept outside the database (with its sequence number when known):
    the chain must still contain it, so a chain wiped and rebuilt through the application is caught.
    """
    key = keys.audit_key()
    head = AuditHead.objects.filter(pk=1).first()
    keyed_from, seal_problem = _keyed_from(head, key)
    if seal_problem:
        return VerifyReport(False, 0, 0, "", seal_problem, None)
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
        if not _hash_matches(event, keyed=event.seq >= keyed_from, key=key):
            return VerifyReport(False, count, last_seq, last_hash, f"event #{event.seq} was altered: its hash does not match its content{' under the audit key' if event.seq >= keyed_from else ''}", event.seq)
        prev_hash, last_seq, last_hash = event.hash, event.seq, event.hash
        expected_seq += 1
        count += 1
    if head is not None and (head.seq, head.hash) != (last_seq, last_hash) and since is None:
        return VerifyReport(False, count, last_seq, last_hash, f"the chain ends at #{last_seq} but the head says #{head.seq}: events after #{last_seq} are missing", last_seq + 1)
    if head is not None and not hmac.compare_digest(head.head_seal or "", keys.head_seal(head.seq, head.hash, key)):
        return VerifyReport(False, count, last_seq, last_hash, f"the head (#{head.seq}) does not carry the audit key's seal: the end of the chain was moved", None)
    if expected_head is not None and not _contains(expected_head, expected_head_seq):
        return VerifyReport(False, count, last_seq, last_hash, "the exported head hash kept outside the database is not in the chain", None)
    return VerifyReport(True, count, last_seq, last_hash)


def _keyed_from(head: AuditHead | None, key: bytes) -> tuple[int, str]:
    """Where keyed hashing starts, or a problem: a head without seals, or sealed with another key."""
    if head is None:
        if AuditEvent.objects.exists():
            return 0, "the chain's head is missing"
        return 1, ""
    if head.key_id and not hmac.compare_digest(head.key_id, keys.key_id(key)):
        return 0, "the audit key configured here (COPYDESK_AUDIT_KEY, or audit_key in the data directory) is not the key this chain was written with"
    if head.keyed_from is None or head.keyed_from < 1 or not head.keyed_seal:
        return 0, "the chain's head carries no keyed seal: where keyed hashing begins cannot be proven, so the chain may have been rewritten"
    before = head.keyed_from - 1
    sealed_hash = GENESIS_HASH if before == 0 else AuditEvent.objects.filter(seq=before).values_list("hash", flat=True).first()
    if sealed_hash is None:
        return 0, f"event #{before}, the last one written before keyed hashing began, is missing"
    if not _seals(head, key, before, sealed_hash):
        return 0, f"the chain's keyed seal does not match event #{before}: the events before keyed hashing began were rewritten, or where it begins was moved"
    return head.keyed_from, ""


def _seals(head: AuditHead | None, key: bytes, seq: int, chain_hash: str) -> bool:
    return head is not None and hmac.compare_digest(head.keyed_seal, keys.keyed_seal(seq, chain_hash, key))


def _hash_matches(event: AuditEvent, *, keyed: bool, key: bytes) -> bool:
    try:
        return hmac.compare_digest(event.compute_hash(scheme=2 if keyed else 1, key=key), event.hash)
    except (UnicodeError, TypeError, ValueError):  # a value stored by hand that no writer could have hashed
        return False


def _contains(head_hash: str, head_seq: int | None) -> bool:
    events = AuditEvent.objects.filter(hash=head_hash)
    return (events.filter(seq=head_seq) if head_seq is not None else events).exists()


def _iterate(events: models.QuerySet[AuditEvent]) -> Iterator[AuditEvent]:
    return events.iterator(chunk_size=2000)
