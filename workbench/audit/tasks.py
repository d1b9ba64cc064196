"""The scheduled audit check: Celery beat walks the chain regularly and the result is kept (audit/actions.py)."""

from __future__ import annotations

from celery import shared_task

from workbench.audit.actions import verification_run
from workbench.audit.models import VerificationTrigger


@shared_task
def verify_audit_chain(trigger: str = VerificationTrigger.SCHEDULE) -> bool:
    report, _ = verification_run(trigger=VerificationTrigger(trigger))
    return report.ok
