"""What a brand's guide page says about re-checking content against the guide's newest version.

Checks does the re-checking and sits above brand in the pipeline, so it provides the progress here from
ChecksConfig.ready(), and the guide page asks through recheck_progress().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.brand.models import BrandGuideVersion
from workbench.plug_points import PlugPoint


@dataclass(frozen=True)
class RecheckProgress:
    """What the guide page says about re-checking content against its current version."""

    total: int
    checked: int
    blocked: int
    finished: bool
    in_review_blocked: int
    queued: bool = False  # no worker has started it yet


# None for a brand's first guide version, which has nothing to re-check.
RecheckReader = Callable[[BrandGuideVersion], RecheckProgress | None]

recheck_reader: PlugPoint[RecheckReader] = PlugPoint("the progress of re-checking content against a new guide", provided_by="workbench.checks")


def recheck_progress(guide_version: BrandGuideVersion) -> RecheckProgress | None:
    return recheck_reader()(guide_version)
