from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.db import models

GENESIS_HASH = "0" * 64


class Action(models.TextChoices):
    """The fixed vocabulary of audited actions."""

    USER_CREATE = "user.create"
    USER_ROLE_CHANGE = "user.role_change"
    USER_DEACTIVATE = "user.deactivate"
    USER_REACTIVATE = "user.reactivate"
    USER_LOGIN = "user.login"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_LOCKED_OUT = "user.locked_out"
    GUIDE_VERSION_CREATE = "guide.version_create"
    BRAND_UPDATE = "brand.update"
    PROMPT_VERSION_CREATE = "prompt.version_create"
    SEGMENT_CREATE = "segment.create"
    SEGMENT_UPDATE = "segment.update"
    BRIEF_CREATE = "brief.create"
    BRIEF_UPDATE = "brief.update"
    BRIEF_REVISE = "brief.revise"
    GENERATION_START = "generation.start"
    GENERATION_JOB_DONE = "generation.job_done"
    GENERATION_JOB_FAILED = "generation.job_failed"
    GENERATION_RETRY = "generation.retry"
    GENERATION_CANCEL = "generation.cancel"
    GENERATION_RECOVER = "generation.recover"
    GENERATION_JOB_CLAIM = "generation.job_claim"
    GENERATION_JOB_RETRY = "generation.job_retry"
    DRAFT_STATE_RESET = "draft.state_reset"
    DRAFT_CREATE = "draft.create"
    DRAFT_VERSION_CREATE = "draft.version_create"
    DRAFT_SUBMIT = "draft.submit"
    DRAFT_DISCARD = "draft.discard"
    DRAFT_RESTORE = "draft.restore"
    CHECK_RUN = "check.run"
    CHECK_FALSE_POSITIVE = "check.false_positive"
    CHECK_SUGGESTION_APPLY = "check.suggestion_apply"
    CHECK_RECERTIFY = "check.recertify"
    REVIEW_APPROVE = "review.approve"
    REVIEW_REJECT = "review.reject"
    REVIEW_REQUEST_CHANGES = "review.request_changes"
    REVIEW_OVERRIDE = "review.override"
    REVIEW_COMMENT = "review.comment"
    JOURNEY_CREATE = "journey.create"
    JOURNEY_UPDATE = "journey.update"
    JOURNEY_STEP_CREATE = "journey.step_create"
    JOURNEY_STEP_UPDATE = "journey.step_update"
    JOURNEY_PAUSE = "journey.pause"
    JOURNEY_RESUME = "journey.resume"
    PUBLICATION_CREATE = "publication.create"
    PUBLICATION_END = "publication.end"
    PUBLICATION_ROLLBACK = "publication.rollback"
    PUBLICATION_REWEIGHT = "publication.reweight"
    API_CLIENT_CREATE = "api_client.create"
    API_CLIENT_REVOKE = "api_client.revoke"
    OUTCOMES_REPORT = "outcomes.report"
    AUDIT_EXPORT = "audit.export"


class ActorType(models.TextChoices):
    USER = "user"
    API_CLIENT = "api_client"
    SYSTEM = "system"


class AuditHead(models.Model):
    """One row holding the chain's head; locking it serialises appends so the chain never forks.

    The seals are keyed with the audit key kept outside the database (see workbench/audit/keys.py):
    keyed_seal fixes where keyed hashing starts and the hash just before it, head_seal the head itself,
    so neither the switch to keying nor the end of the chain can be moved without the key.
    """

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    keyed_from = models.BigIntegerField(null=True, blank=True, help_text="The first event hashed with the audit key.")
    keyed_seal = models.CharField(max_length=64, blank=True)
    head_seal = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=16, blank=True, help_text="Which audit key wrote the chain (a fingerprint, not the key).")


class AuditEvent(models.Model):
    """One append-only, hash-chained record of a state change. Database triggers refuse UPDATE and DELETE."""

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor_type = models.CharField(max_length=16, choices=ActorType.choices)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    # Not a choices field, so growing the vocabulary needs no migration; record() only accepts Action members.
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    changes = models.JSONField(default=dict, blank=True)
    # Made by Copydesk for every request; the id a client sent (X-Request-ID) is kept beside it, never in its place.
    request_id = models.CharField(max_length=64, blank=True)
    # Nullable so that adding it is a plain ADD COLUMN: SQLite would otherwise rebuild the table and drop its append-only triggers.
    client_request_id = models.CharField(max_length=64, blank=True, null=True)
    ip = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["action"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def canonical_payload(self, scheme: int = 2) -> dict[str, Any]:
        payload = {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "actor_type": self.actor_type,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "changes": self.changes,
            "request_id": self.request_id,
            "ip": self.ip,
        }
        if scheme >= 2:
            payload["client_request_id"] = self.client_request_id or ""
        return payload

    def compute_hash(self, *, scheme: int = 1, key: bytes = b"") -> str:
        """Scheme 1 (events written before keying): SHA-256 of the previous hash and the payload, which anyone
        can recompute. Scheme 2: HMAC-SHA-256 with the audit key, which only a holder of the key can."""
        if scheme == 1:
            return chain_hash(self.prev_hash, self.canonical_payload(scheme=1))
        return keyed_chain_hash(key, self.prev_hash, self.canonical_payload(scheme=2))


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode("utf-8")).hexdigest()


def keyed_chain_hash(key: bytes, prev_hash: str, payload: dict[str, Any]) -> str:
    # surrogatepass: a value stored by hand with a lone surrogate is reported as altered, never crashes verification.
    message = (prev_hash + canonical_json(payload)).encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class VerificationTrigger(models.TextChoices):
    SCHEDULE = "schedule", "the scheduled check"
    COMMAND = "command", "verify_audit"
    ADMIN = "admin", "an admin"


class AuditVerification(models.Model):
    """The result of one walk of the chain (verify_audit, the scheduled check), so the audit log and the admins'
    home page can say whether the chain verified and when. Outside the chain: recording a verification in the
    chain would move the head it had just verified."""

    created_at = models.DateTimeField()
    ok = models.BooleanField()
    count = models.BigIntegerField(default=0)
    head_seq = models.BigIntegerField(default=0)
    since = models.BigIntegerField(null=True, blank=True, help_text="Verified from this event on; empty: the whole chain.")
    problem = models.TextField(blank=True)
    trigger = models.CharField(max_length=16, choices=VerificationTrigger.choices)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-created_at"])]

    def __str__(self) -> str:
        return f"audit verification {'passed' if self.ok else 'FAILED'} at {self.created_at:%Y-%m-%d %H:%M}"
