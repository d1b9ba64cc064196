"""The audit key: a secret kept outside the database that keys the chain's hashes and seals.

Without it, someone who can write to the database can rewrite every event and recompute
every plain SHA-256 hash so the chain still links. Keyed hashes (HMAC-SHA-256) cannot be
recomputed without the key, which lives in the environment (COPYDESK_AUDIT_KEY), or in the
data directory like the secret key, never in the database (settings.AUDIT_CHAIN_KEY).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from workbench.audit.models import GENESIS_HASH


def audit_key() -> bytes:
    return str(settings.AUDIT_CHAIN_KEY).encode("utf-8")


def key_id(key: bytes | None = None) -> str:
    """A fingerprint that names the key without revealing it, so verification can say 'wrong key' plainly."""
    return hmac.new(key or audit_key(), b"copydesk audit key id", hashlib.sha256).hexdigest()[:16]


def _mac(key: bytes, label: str, seq: int, chain_hash: str) -> str:
    return hmac.new(key, f"copydesk-audit {label} {seq} {chain_hash}".encode("ascii"), hashlib.sha256).hexdigest()


def keyed_seal(seq_before: int, hash_before: str, key: bytes | None = None) -> str:
    """Seals the last event hashed without the key (seq 0 and the genesis hash when every event is keyed)."""
    return _mac(key or audit_key(), "keyed-from", seq_before, hash_before)


def head_seal(seq: int, chain_hash: str, key: bytes | None = None) -> str:
    return _mac(key or audit_key(), "head", seq, chain_hash)


def seal_fields(seq: int, chain_hash: str, key: bytes | None = None) -> dict[str, object]:
    """The head of a chain that is keyed from the event after (seq, chain_hash) on: for a new chain
    (0, genesis), or, once, for a chain written before keying existed (its current head)."""
    key = key or audit_key()
    return {
        "seq": seq, "hash": chain_hash, "keyed_from": seq + 1, "keyed_seal": keyed_seal(seq, chain_hash, key),
        "head_seal": head_seal(seq, chain_hash, key), "key_id": key_id(key),
    }


def genesis_fields() -> dict[str, object]:
    return seal_fields(0, GENESIS_HASH)
