"""Recording what a walk of the audit chain found."""

from __future__ import annotations

import time

from django.utils import timezone

from workbench.audit.log import VerifyReport, verify_chain
from workbench.audit.models import AuditVerification, VerificationTrigger


def verification_run(
    *, trigger: VerificationTrigger, since: int | None = None, expected_head: str | None = None, expected_head_seq: int | None = None
) -> tuple[VerifyReport, AuditVerification]:
    """Walk the chain and keep the result, so the audit log and the admins' home page can say whether it verified and when."""
    started = time.monotonic()
    report = verify_chain(since=since, expected_head=expected_head, expected_head_seq=expected_head_seq)
    verification = AuditVerification.objects.create(
        created_at=timezone.now(), ok=report.ok, count=report.count, head_seq=report.head_seq, since=since,
        problem=report.problem, trigger=trigger, duration_ms=int((time.monotonic() - started) * 1000),
    )
    return report, verification


def latest_verification() -> AuditVerification | None:
    return AuditVerification.objects.order_by("-created_at", "-id").first()
