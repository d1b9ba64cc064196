"""The embedded default's shared cache: Django's file-based cache with atomic add and incr.

Django's file cache implements ``incr`` as get-then-set, so two gunicorn
processes counting the same client's requests could lose an update. Holding
an exclusive ``flock`` on one lock file around ``add`` and ``incr`` makes
them atomic across every process on the host, which is all the embedded
default runs on. At scale Copydesk uses Redis, whose INCR is atomic itself.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class LockingFileBasedCache(FileBasedCache):
    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._createdir()  # type: ignore[attr-defined]
        fd = os.open(os.path.join(self._dir, "counters.lock"), os.O_RDWR | os.O_CREAT, 0o600)  # type: ignore[attr-defined]
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        with self._locked():
            return super().add(key, value, timeout, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        with self._locked():
            fname = self._key_to_file(key, version)  # type: ignore[attr-defined]
            try:
                with open(fname, "rb") as f:
                    expiry = pickle.load(f)
                    value = pickle.loads(zlib.decompress(f.read()))
            except FileNotFoundError:
                value = expiry = None
            if value is None or (expiry is not None and expiry < time.time()):
                raise ValueError(f"Key {key!r} not found")
            new_value: int = value + delta
            # Keep the counter's own expiry: set() with the default timeout would stretch its window.
            timeout = None if expiry is None else max(expiry - time.time(), 0.001)
            self.set(key, new_value, timeout=timeout, version=version)
            return new_value
