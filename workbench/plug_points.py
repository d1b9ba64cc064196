"""A place where an app above plugs its implementation into an app below it, so the lower one need not import it.

The lower app declares the point; the upper app registers from its AppConfig.ready(). Imports keep following the
pipeline's order (import-linter's layers), and the dependency the pipeline needs still exists, at run time.
"""

from __future__ import annotations

from typing import Generic, TypeVar

Implementation = TypeVar("Implementation")


class PlugPoint(Generic[Implementation]):
    def __init__(self, what: str, provided_by: str) -> None:
        self.what, self.provided_by = what, provided_by
        self._implementation: Implementation | None = None

    def register(self, implementation: Implementation) -> None:
        self._implementation = implementation

    def __call__(self) -> Implementation:
        if self._implementation is None:  # pragma: no cover - every app is installed
            raise RuntimeError(f"Nothing provides {self.what}: add {self.provided_by} to INSTALLED_APPS.")
        return self._implementation
