"""A Celery worker exits within its grace period on SIGTERM, handing back the jobs it could not finish.

Celery's own SIGTERM (a warm shutdown) waits for every running task, however long: a
generation waiting on a slow LLM kept a worker up for minutes, and the job stayed leased to
it, so nobody else took it until the lease expired. Here a SIGTERM starts a watchdog in the
worker's main process:

1. For the first part of the grace period running tasks may finish (the warm shutdown).
2. Then the worker is told to shut down cold (SIGQUIT to itself): Celery cancels what still
   runs, and each generation job those tasks held is handed back: its lease is released
   (the job is queued again) and its message sent again, so another worker, or this one
   when it starts again, takes it at once. A duplicate delivery is harmless: claiming a job
   is idempotent and its drafts are unique per job.
3. Whatever still holds the process past the grace period (a pool child that does not
   die, a broker that does not answer, a finaliser or thread that blocks the interpreter's
   exit) is not waited for: the children are killed and the process exits.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from typing import Any

from celery.signals import worker_shutting_down
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)

GENERATE_TASK = "workbench.generation.tasks.generate_cell"
# Seconds left, at the end of the grace period, for cancelling tasks, handing their jobs back and exiting
# (Celery's cold shutdown takes about 3 s).
COLD_SECONDS = 5.0
EXIT_MARGIN_SECONDS = 1.0

_started = threading.Event()


def grace_seconds() -> float:
    return float(settings.WORKER_SHUTDOWN_GRACE_SECONDS)


# workbench.celery imports this module before Django's apps are loaded (and in every process, not only workers):
# what needs the worker's internals, the models or the generation app is imported where it is used.


def _requests(kind: str) -> list[Any]:
    from celery.worker import state

    return list(getattr(state, kind))


def _job_ids(requests: list[Any]) -> list[int]:
    ids = set()
    for request in requests:
        if getattr(request, "task_name", "") != GENERATE_TASK:
            continue
        args, kwargs = request.args or (), request.kwargs or {}
        job_id = args[0] if args else kwargs.get("job_id")
        if isinstance(job_id, int):
            ids.add(job_id)
    return sorted(ids)


def hand_back(running: list[int], waiting: list[int]) -> list[int]:
    """Release the leases of the jobs this worker was running and send every held job again. Returns those sent."""
    from workbench.generation import actions
    from workbench.generation.models import GenerationJob, RunStatus
    from workbench.generation.tasks import generate_cell

    try:
        for job_id in running:
            actions.job_retry_pending(job_id, "the worker stopped before finishing it; handed back")
        queued = list(GenerationJob.objects.filter(pk__in=running + waiting, status=RunStatus.QUEUED).values_list("pk", flat=True))
        for job_id in queued:
            generate_cell.delay(job_id)
    except Exception:  # the next worker's start-up sweep hands out queued jobs and expired leases anyway
        log.exception("handing back generation jobs %s failed", running + waiting)
        return []
    finally:
        close_old_connections()
    if queued:
        log.warning("handed back generation jobs %s", queued)
    return queued


def _kill_pool_children() -> None:
    from billiard.process import active_children

    for child in active_children():
        try:
            os.kill(child.pid, signal.SIGKILL)
        except (OSError, TypeError):
            pass


def _stop_within(grace: float) -> None:
    started = time.monotonic()
    warm_until = started + max(0.5, grace - COLD_SECONDS)
    while _requests("active_requests") and time.monotonic() < warm_until:
        time.sleep(0.1)
    running = _job_ids(_requests("active_requests"))
    waiting = [j for j in _job_ids(_requests("reserved_requests")) if j not in running]
    if _requests("active_requests"):
        log.warning("tasks still running %.0f s after SIGTERM: stopping them", time.monotonic() - started)
        os.kill(os.getpid(), signal.SIGQUIT)  # Celery's cold shutdown: cancels the running tasks
        cancel_until = time.monotonic() + (COLD_SECONDS - EXIT_MARGIN_SECONDS) / 2
        while _requests("active_requests") and time.monotonic() < cancel_until:
            time.sleep(0.1)
    if running or waiting:
        hand_back(running, waiting)
    # Once the main thread is done, exit finalisers get two seconds: billiard's pool finaliser joins its
    # threads without a time limit, so a stuck one would hold the process until the end of the grace period.
    exit_at, finishing_since = started + grace - EXIT_MARGIN_SECONDS, None
    while time.monotonic() < exit_at:
        if not threading.main_thread().is_alive():
            finishing_since = finishing_since or time.monotonic()
            if time.monotonic() - finishing_since > 2.0:
                break
        time.sleep(0.1)
    # Not through logging: its handlers may be half torn down by now.
    os.write(2, f"worker: exiting {time.monotonic() - started:.1f} s after SIGTERM without waiting further\n".encode())
    _kill_pool_children()
    os._exit(1 if running else 0)


@worker_shutting_down.connect
def _on_shutting_down(sig: str = "", how: str = "", **kwargs: Any) -> None:
    # Runs in the worker's main process, inside the signal handler: start the watchdog and return.
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_stop_within, args=(grace_seconds(),), name="copydesk-shutdown-watchdog", daemon=True).start()
