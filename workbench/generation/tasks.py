from __future__ import annotations

import logging
import threading
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections

from workbench.errors import CopydeskError
from workbench.generation import actions, services
from workbench.generation.providers import ProviderError

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def generate_cell(self, job_id: int) -> None:  # type: ignore[no-untyped-def]
    """Run one generation job. Takes an id; all the work is in the service."""
    try:
        services.run_job(job_id)
    except ProviderError as exc:
        # Counted on the job, not the message: a message sent again by the recovery sweep starts at zero retries.
        attempts_left = services.attempts_of(job_id) < settings.GENERATION_MAX_ATTEMPTS
        if exc.retryable and attempts_left:
            actions.job_retry_pending(job_id, exc.message)
            countdown = exc.retry_after if exc.retry_after is not None else services.backoff_seconds(self.request.retries)
            raise self.retry(countdown=countdown, exc=exc) from None
        actions.job_fail(job_id, exc.message)
    except CopydeskError as exc:
        actions.job_fail(job_id, exc.message)
    except SoftTimeLimitExceeded:
        actions.job_fail(job_id, "generation took too long and was stopped")
    except Exception as exc:
        log.exception("generation job %s crashed", job_id)
        actions.job_fail(job_id, services.describe_failure(exc))


# --- recovery ------------------------------------------------------------------------
# Brokers without acknowledgements (the embedded file-system broker) lose the
# messages a killed worker had taken; Redis only hands them out again after its
# visibility timeout, and loses its queue on a restart without persistence. So
# each worker, when it starts and then every GENERATION_SWEEP_SECONDS, hands out
# again the jobs whose lease expired or that waited longer than a lease.

_stop_sweeping = threading.Event()


def _sweep_forever() -> None:
    while not _stop_sweeping.wait(settings.GENERATION_SWEEP_SECONDS):
        try:
            actions.recover_orphaned_jobs(include_queued=False)
        except Exception:  # a sweep must never take the worker down
            log.exception("generation recovery sweep failed")
        finally:
            close_old_connections()


@worker_ready.connect
def _on_worker_ready(**kwargs: Any) -> None:
    try:
        actions.recover_orphaned_jobs(include_queued=True)
    except Exception:
        log.exception("generation recovery at worker start failed")
    finally:
        close_old_connections()
    _stop_sweeping.clear()
    threading.Thread(target=_sweep_forever, name="copydesk-generation-sweep", daemon=True).start()


@worker_shutdown.connect
def _on_worker_shutdown(**kwargs: Any) -> None:
    _stop_sweeping.set()
