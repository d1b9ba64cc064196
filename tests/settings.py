"""Settings for the test suite: Copydesk's own, with each pytest-xdist worker in its own data directory.

pytest-django imports the settings module before any conftest.py runs, so the
per-worker environment has to be in place here, before workbench.settings reads it.
Everything kept under the data directory follows: the SQLite test database, the
file cache, the file-system broker (queue, processed and control folders) and the
secret key. A Redis broker or cache (the at-scale CI leg) is shared, so each worker
also gets its own key prefix there. Subprocesses (Celery workers, manage.py) inherit
the environment, and COPYDESK_TEST_WORKER keeps them from nesting a second level.
"""

from __future__ import annotations

import os
from pathlib import Path

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.environ.get("COPYDESK_TEST_WORKER") != _worker:
    _shared_data_dir = Path(os.environ.get("COPYDESK_DATA_DIR") or Path(__file__).resolve().parent.parent / "var")
    _worker_data_dir = _shared_data_dir / "test-workers" / _worker
    _worker_data_dir.mkdir(parents=True, exist_ok=True)
    # htmx, installed once by ./copydesk under the shared data directory, is only read: every worker uses it.
    if (_shared_data_dir / "npm").is_dir() and not (_worker_data_dir / "npm").exists():
        (_worker_data_dir / "npm").symlink_to(_shared_data_dir / "npm", target_is_directory=True)
    os.environ["COPYDESK_DATA_DIR"] = str(_worker_data_dir)
    os.environ["COPYDESK_REDIS_PREFIX"] = f"test-{_worker}"
    os.environ["COPYDESK_TEST_WORKER"] = _worker

from workbench.settings import *  # noqa: E402,F403
