"""The Celery application. Workers run: celery -A workbench worker."""

from __future__ import annotations

import os
import warnings

from celery import Celery
from celery.exceptions import SecurityWarning

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

app = Celery("workbench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery warns at every start as root because a pickled message would run code with root's rights.
# Copydesk's workers accept JSON only (Celery refuses to start as root with pickle), so in a container
# running as root the warning is noise; it is kept should pickle ever be accepted.
if not {"pickle", "application/x-python-serialize"} & set(app.conf.accept_content):
    warnings.filterwarnings("ignore", message="You're running the worker with superuser privileges", category=SecurityWarning)

# A worker stops within its grace period on SIGTERM (see workbench/worker_shutdown.py).
from workbench import worker_shutdown  # noqa: E402,F401

# The heartbeat task that tells the admins' home page a worker is alive (not in an app, so not autodiscovered).
from workbench import heartbeat  # noqa: E402,F401
