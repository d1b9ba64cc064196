"""Page data for the brief grid and the draft page, fetched in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from workbench.accounts.models import User
from workbench.brand.models import Channel
from workbench.checks.engine import CHANNEL_FIELDS
from workbench.checks.highlight import pieces
from workbench.checks.models import CheckResult, finding_key
from workbench.generation.forms import DraftEditForm
from workbench.generation.models import Brief, Draft, DraftState, DraftVersion
from workbench.journeys.models import JourneyStep, Publication
from workbench.review.actions import is_author
from workbench.review.models import Decision, ReviewDecision


@dataclass
class Card:
    draft: Draft
    version: DraftVersion
    check: CheckResult | None

    @property
    def check_status(self) -> str:
        if self.check is None:
            return "unchecked"
        if self.check.blocking:
            return "blocking"
        return "warnings" if self.check.warnings else "clean"


@dataclass
class GridRow:
    segment_name: str
    sensitive: bool
    cells: list[list[Card]] = field(default_factory=list)


def with_latest(drafts: Any) -> list[Card]:
    """Attach each draft's latest version and that version's latest check, from prefetched rows."""
    cards = []
    for draft in drafts:
        versions = sorted(draft.versions.all(), key=lambda v: v.number)
        if not versions:
            continue
        version = versions[-1]
        checks = sorted(version.check_results.all(), key=lambda c: (c.created_at, c.pk))
        cards.append(Card(draft, version, checks[-1] if checks else None))
    return cards


def prefetched_drafts() -> Any:
    return Draft.objects.select_related("segment", "brief__brand", "created_by").prefetch_related(
        Prefetch("versions", queryset=DraftVersion.objects.prefetch_related("check_results"))
    )


def brief_grid(brief: Brief, state: str = "") -> dict[str, Any]:
    drafts = prefetched_drafts().filter(brief=brief)
    if state in DraftState.values:
        drafts = drafts.filter(state=state)
    by_cell: dict[tuple[int, str], list[Card]] = defaultdict(list)
    for card in with_latest(drafts.order_by("variant")):
        by_cell[(card.draft.segment_id, card.draft.channel)].append(card)
    channels = [c for c in Channel.values if c in brief.channels]
    rows = []
    for segment in brief.segments.order_by("name"):
        row = GridRow(segment.name, segment.sensitive)
        row.cells = [by_cell.get((segment.pk, channel), []) for channel in channels]
        rows.append(row)
    return {"channels": [Channel(c).label for c in channels], "rows": rows}


def draft_page_context(draft: Draft, user: User, edit_form: DraftEditForm | None = None) -> dict[str, Any]:
    versions = list(draft.versions.select_related("author", "guide_version", "prompt_version").order_by("number"))
    version = versions[-1]
    check = version.check_results.select_related("guide_version").order_by("-created_at", "-id").first()
    findings = check.findings if check else []
    overridden = {o.finding_key: o for o in version.overrides.select_related("reviewer")}
    for finding in findings:
        finding["key"] = finding_key(finding)
        finding["override"] = overridden.get(finding["key"])
    field_views = [
        {"name": name, "text": version.fields.get(name, ""), "pieces": pieces(version.fields.get(name, ""), [f for f in findings if f["field"] == name])}
        for name in CHANNEL_FIELDS[draft.channel]
    ]
    decisions = list(ReviewDecision.objects.filter(version__draft=draft).select_related("reviewer", "version").order_by("created_at"))
    approvals = [d for d in decisions if d.version_id == version.pk and d.decision == Decision.APPROVE]
    unresolved = [f for f in findings if f["severity"] == "block" and not f.get("override")]
    approve_blocked_reason = ""
    if not user.can_review:
        approve_blocked_reason = "Only reviewers can approve."
    elif draft.state != DraftState.IN_REVIEW:
        approve_blocked_reason = f"The draft is {draft.get_state_display().lower()}; it must be submitted for review first."
    elif is_author(draft, user):
        approve_blocked_reason = "You wrote or edited this draft; someone else must approve it (four-eyes)."
    elif any(d.reviewer_id == user.pk for d in approvals):
        approve_blocked_reason = "You already approved this version; it needs a second reviewer."
    elif unresolved:
        approve_blocked_reason = f"{len(unresolved)} blocking finding(s) need a fix or an override first."
    steps = (
        JourneyStep.objects.filter(channel=draft.channel, journey__brand=draft.brief.brand).select_related("journey")
        if user.can_publish and draft.state == DraftState.APPROVED
        else JourneyStep.objects.none()
    )
    initial = {"base_version": version.number, **version.fields}
    return {
        "draft": draft,
        "version": version,
        "versions": versions,
        "check": check,
        "findings": findings,
        "field_views": field_views,
        "decisions": decisions,
        "approvals": approvals,
        "approvals_required": draft.segment.approvals_required,
        "approve_blocked_reason": approve_blocked_reason,
        "can_review": user.can_review and draft.state == DraftState.IN_REVIEW,
        "can_edit": user.can_author or user.can_review,
        "can_submit": draft.state in (DraftState.DRAFT, DraftState.REJECTED) and (user.can_author or user.pk == draft.created_by_id),
        "edit_form": edit_form or DraftEditForm(initial=initial, channel_fields=CHANNEL_FIELDS[draft.channel]),
        "publish_steps": list(steps),
        "publications": list(Publication.objects.filter(version__draft=draft).select_related("step__journey", "segment", "version")),
        "provenance": version.provenance(),
    }
