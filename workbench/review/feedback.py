"""What review tells generation: the reasons reviewers gave for rejecting copy, which the next prompt learns from."""

from __future__ import annotations

from workbench.review.models import Decision, ReviewDecision


def rejection_reasons(brand_id: int, segment_id: int, limit: int) -> list[str]:
    """The newest reasons reviewers gave for rejecting this brand's copy for this segment."""
    reasons = (
        ReviewDecision.objects.filter(
            decision=Decision.REJECT,
            version__draft__brief__brand_id=brand_id,
            version__draft__segment_id=segment_id,
        )
        .exclude(reason="")
        .order_by("-created_at")
        .values_list("reason", flat=True)[:limit]
    )
    return list(reasons)
