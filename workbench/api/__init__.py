"""The JSON API served under /api/v1/: the shared API object (core.py) with the routers of each part added to it.

The API sits above every app in the pipeline: its routers read and act through the apps, and the apps know nothing
of it. Documented in docs/check-copy.md (the checks router) and docs/journeys-api.md (the journeys router).
"""

from __future__ import annotations

from workbench.api.checks import router as checks_router
from workbench.api.core import api
from workbench.api.journeys import router as journeys_router

api.add_router("/journeys", journeys_router)
api.add_router("/checks", checks_router)

__all__ = ["api"]
