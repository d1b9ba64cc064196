"""The check step every new draft version goes through, provided by the checks app.

Checks sit above generation in the pipeline (a check result points at a draft version), yet generation must
check each version it stores, in the transaction that stores it. Rather than import upward, generation names
the three calls it needs here and the checks app plugs its implementation in from its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workbench.brand.models import BrandGuideVersion
from workbench.checks.engine import CheckResult as EngineResult
from workbench.generation.models import Draft, DraftVersion
from workbench.plug_points import PlugPoint


@dataclass(frozen=True)
class PreparedCheck:
    """A check computed before any write: the slow part, run with no transaction open."""

    guide_version: BrandGuideVersion
    context: str
    passed: bool
    findings: list[dict[str, Any]]


@dataclass(frozen=True)
class VersionChecks:
    # Check text about to become a version of a draft; call it outside transaction.atomic (it is slow).
    prepare_check: Callable[[Draft, dict[str, str], BrandGuideVersion], PreparedCheck]
    # Store a prepared check of a version with its audit event, inside the transaction that stores the version.
    store_check: Callable[[DraftVersion, PreparedCheck], object]
    # Run the engine on unsaved text (the live check while typing); stores nothing.
    run_engine: Callable[[DraftVersion, BrandGuideVersion], tuple[EngineResult, str | None]]


version_checks: PlugPoint[VersionChecks] = PlugPoint("the check step of new versions", provided_by="workbench.checks")
