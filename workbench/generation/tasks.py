from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from workbench.errors import CopydeskError
from workbench.generation import services
from workbench.generation.providers import ProviderError

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def generate_cell(self, job_id: int) -> None:  # type: ignore[no-untyped-def]
    """Generate the drafts of one segment × channel. Takes an id; all the work is in the service."""
    try:
        services.run_job(job_id)
    except ProviderError as exc:
        attempts_left = self.request.retries + 1 < settings.GENERATION_MAX_ATTEMPTS
        if exc.retryable and attempts_left:
            services.job_retry_pending(job_id, exc.message)
            countdown = exc.retry_after if exc.retry_after is not None else services.backoff_seconds(self.request.retries)
            raise self.retry(countdown=countdown, exc=exc) from None
        services.job_fail(job_id, exc.message)
    except CopydeskError as exc:
        services.job_fail(job_id, exc.message)
    except SoftTimeLimitExceeded:
        services.job_fail(job_id, "generation took too long and was stopped")
    except Exception as exc:
        log.exception("generation job %s crashed", job_id)
        services.job_fail(job_id, services.describe_failure(exc))
