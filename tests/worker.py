"""Start a real Celery worker process against the test database, for tests that need one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def database_url_for_worker() -> str:
    """The URL of the database this test process is using (the test database, not the configured one)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def purge_broker(url: str | None = None) -> None:
    """Empty the broker of every message an earlier test left, queued or taken and never acknowledged.

    A purge empties the queues only. On Redis a worker killed with SIGKILL leaves the messages it had taken in the
    unacknowledged set, and the next worker to start restores those older than the visibility timeout into its
    queue: a later run of a killing test, on the same Redis an hour on, would be handed an earlier run's job ids.
    """
    url = url or settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        for sub in ("queue", "processed"):
            folder = settings.BROKER_DIR / sub
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
    else:
        from workbench.celery import app

        with app.connection_for_write(url) as connection:
            app.control.purge(connection=connection)
            channel = connection.default_channel
            if hasattr(channel, "unacked_key"):  # the Redis transport; AMQP requeues unacknowledged messages itself
                channel.client.delete(channel.unacked_key, channel.unacked_index_key, channel.unacked_mutex_key)


class WorkerProcess:
    def __init__(self, concurrency: int = 2, extra_env: dict[str, str] | None = None, extra_args: list[str] | None = None) -> None:
        self.concurrency = concurrency
        self.extra_env = extra_env or {}
        self.extra_args = extra_args or []  # e.g. ["-B"]: beat embedded, as ./copydesk run starts it
        self.process: subprocess.Popen[str] | None = None
        self.output: list[str] = []
        self._ready = threading.Event()

    def start(self, timeout: float = 60) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "workbench.settings",
            "DATABASE_URL": database_url_for_worker(),
            "COPYDESK_DATA_DIR": str(settings.DATA_DIR),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "COPYDESK_LLM_PROVIDER": settings.LLM_PROVIDER,
            **self.extra_env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workbench", "worker", "--loglevel=INFO",
             f"--concurrency={self.concurrency}", "--without-gossip", "--without-mingle", "--without-heartbeat", *self.extra_args],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=settings.BASE_DIR,
        )
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError("the Celery worker did not start:\n" + "".join(self.output[-40:]))

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if " ready." in line:
                self._ready.set()

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and its pool children), as a crash would."""
        assert self.process is not None
        subprocess.run(["pkill", "-KILL", "-P", str(self.process.pid)], check=False)
        self.process.kill()
        self.process.wait(timeout=30)

    def tail(self, lines: int = 60) -> str:
        return "".join(self.output[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(condition, timeout: float = 60, interval: float = 0.2, explain=None) -> None:  # type: ignore[no-untyped-def]
    """Poll until condition() holds; on timeout, explain() (when given) says what the state was, for the CI log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    message = f"timed out after {timeout} s waiting for {getattr(condition, '__name__', 'condition')}"
    raise AssertionError(message + ("\n" + explain() if explain else ""))
