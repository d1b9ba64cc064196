"""Page data for the brief grid, the review queue and the draft page, fetched in a fixed number of queries."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from workbench.accounts.models import User
from workbench.brand.models import CHANNELS, Brand, BrandGuideVersion, Channel
from workbench.checks.engine import CHANNEL_FIELDS, sms_segments
from workbench.checks.highlight import pieces
from workbench.checks.models import CheckResult, finding_key
from workbench.checks.services import compiled_guide
from workbench.generation.forms import DraftEditForm
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.generation.siblings import default_locale_sibling
from workbench.review.actions import earlier_waivers
from workbench.review.models import Comment, Decision, FindingOverride, ReviewDecision, WaiverScope
from workbench.review.policy import ApprovalStatus, approval_status, current_policies, status_of_prefetched


def approve_blocked_reason(user: User, *, state: str, status: ApprovalStatus, unresolved: int) -> str:
    """Why this user cannot approve right now ("" when they can). The server asks the same policy."""
    if not user.can_review:
        return "Only reviewers can approve."
    if state != DraftState.IN_REVIEW:
        return f"The draft is {DraftState(state).label.lower()}; it must be submitted for review first."
    if refusal := status.refusal_for(user):
        return refusal
    if unresolved:
        return f"{unresolved} blocking finding(s) need a fix or an override with a justification first."
    return ""


@dataclass
class Card:
    """A draft with its latest version, that version's latest check and its approval status, read from prefetched rows."""

    draft: Draft
    version: DraftVersion
    check: CheckResult | None
    status: ApprovalStatus

    @property
    def check_status(self) -> str:
        if self.check is None:
            return "unchecked"
        if self.check.blocking:
            return "blocking"
        return "warnings" if self.check.warnings else "clean"

    @property
    def unresolved(self) -> int:
        if self.check is None:
            return 1  # an unchecked version cannot be approved
        overridden = {o.finding_key for o in self.version.overrides.all()}
        return len(self.check.unresolved_blocking(overridden))

    @property
    def approvers(self) -> list[int]:
        return [a.pk for a in self.status.approvers]

    def approve_blocked_reason(self, user: User) -> str:
        return approve_blocked_reason(user, state=self.draft.state, status=self.status, unresolved=self.unresolved)


@dataclass
class GridRow:
    segment_name: str
    sensitive: bool
    tone_context: str
    cells: list[list[Card]] = field(default_factory=list)


def with_latest(drafts: Any) -> list[Card]:
    """Cards for drafts from prefetched_drafts(); the approval policies of their brands are read in one more query."""
    drafts = list(drafts)
    policies = current_policies({d.brief.brand_id for d in drafts})
    cards = []
    for draft in drafts:
        versions = sorted(draft.versions.all(), key=lambda v: v.number)
        if not versions:
            continue
        version = versions[-1]
        checks = sorted(version.check_results.all(), key=lambda c: (c.created_at, c.pk))
        status = status_of_prefetched(version, checks=checks, guide=policies.get(draft.brief.brand_id))
        cards.append(Card(draft, version, checks[-1] if checks else None, status))
    return cards


def prefetched_drafts() -> QuerySet[Draft]:
    decisions = ReviewDecision.objects.select_related("reviewer")
    versions = DraftVersion.objects.prefetch_related("check_results", "overrides", Prefetch("decisions", queryset=decisions))
    return Draft.objects.select_related("segment", "brief__brand", "created_by").prefetch_related(Prefetch("versions", queryset=versions))


# --- the draft page -------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """(op, text) pieces, op one of "same", "del", "ins": a word-level diff a template can mark up."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("ins", "".join(b[j1:j2])))
    return out


def version_diff(channel: str, old: DraftVersion, new: DraftVersion) -> list[dict[str, Any]]:
    return [
        {"name": name, "changed": old.fields.get(name, "") != new.fields.get(name, ""), "pieces": word_diff(old.fields.get(name, ""), new.fields.get(name, ""))}
        for name in CHANNEL_FIELDS[channel]
    ]


def field_meters(channel: str, fields: dict[str, str], guide_version: BrandGuideVersion) -> list[dict[str, Any]]:
    """Character counts against the guide's limits, and the SMS segment count, for each field."""
    limits = compiled_guide(guide_version).limits[channel]
    meters = []
    for name in CHANNEL_FIELDS[channel]:
        text = fields.get(name, "")
        limit = limits.get(f"{name}_max_chars")
        meter: dict[str, Any] = {"name": name, "chars": len(text), "limit": limit, "over": bool(limit and len(text) > limit)}
        if CHANNELS[channel].field(name).sms_segments:
            encoding, segments = sms_segments(text)
            meter.update(encoding=encoding, segments=segments, max_segments=limits.get("max_segments"))
            meter["over"] = segments > (limits.get("max_segments") or segments)
        meters.append(meter)
    return meters


def highlighted_fields(channel: str, fields: dict[str, str], findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"name": name, "text": fields.get(name, ""), "pieces": pieces(fields.get(name, ""), [f for f in findings if f.get("field") == name])}
        for name in CHANNEL_FIELDS[channel]
    ]


def state_story(draft: Draft, version: DraftVersion, decisions: list[ReviewDecision], status: ApprovalStatus) -> str:
    """One sentence saying where the draft stands and what happens next."""
    last = next((d for d in reversed(decisions) if d.version_id == version.pk), None)
    if draft.state == DraftState.APPROVED:
        names = " and ".join(a.name for a in status.approvers) or "its reviewers"
        return f"Approved by {names}. Ready to publish: a publisher can put version {version.number} live on a journey step."
    if draft.state == DraftState.IN_REVIEW:
        if status.approvers and status.missing:
            return f"Approved by {' and '.join(a.name for a in status.approvers)}, pending a second reviewer: it still needs {_and(status.missing)}."
        if status.approvers:  # the approvals are in; the state moves with the decision that completed them
            return f"Approved by {' and '.join(a.name for a in status.approvers)}: it has the approvals it needs."
        return f"Waiting for review by reviewers other than its author. {status.requirement.describe()}."
    if last is not None and last.decision != Decision.APPROVE:
        what = "rejected it" if last.decision == Decision.REJECT else "asked for changes"
        return f"{last.reviewer.display_name} {what}: “{last.reason}”. The author can edit it (a new version) and submit it again."
    return "Being written. Edit it as needed, then submit it for review."


def _and(items: list[str]) -> str:
    if not items:
        return "nothing more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def draft_page_context(draft: Draft, user: User, edit_form: DraftEditForm | None = None) -> dict[str, Any]:
    # Publications and journey steps are read through relations: review sits below journeys and imports none of it.
    versions = list(
        draft.versions.select_related("author", "guide_version__brand", "prompt_version")
        .prefetch_related("publications__step__journey", "publications__segment")
        .order_by("number")
    )
    version = versions[-1]
    check = version.check_results.select_related("guide_version").order_by("-created_at", "-id").first()
    findings = [dict(f) for f in (check.findings if check else [])]
    overridden = {o.finding_key: o for o in version.overrides.select_related("reviewer", "applied_from__reviewer")}
    earlier = earlier_waivers(version, findings)
    for finding in findings:
        finding["key"] = finding_key(finding)
        finding["override"] = overridden.get(finding["key"])
        finding["earlier_waivers"] = earlier.get(finding["key"], [])
    decisions = list(ReviewDecision.objects.filter(version__draft=draft).select_related("reviewer", "version").order_by("created_at", "id"))
    approvals = [d for d in decisions if d.version_id == version.pk and d.decision == Decision.APPROVE]
    unresolved = [f for f in findings if f["severity"] == "block" and not f.get("override")]
    authored = draft.created_by_id == user.pk or any(v.author_id == user.pk for v in versions)
    status = approval_status(version, check=check)
    blocked_reason = approve_blocked_reason(user, state=draft.state, status=status, unresolved=len(unresolved) if check else 1)
    steps = (
        [step for journey in draft.brief.brand.journeys.prefetch_related("steps") for step in journey.steps.all() if step.channel == draft.channel]
        if user.can_publish and draft.state == DraftState.APPROVED
        else []
    )
    publications = sorted((p for v in versions for p in v.publications.all()), key=lambda p: (p.created_at, p.pk), reverse=True)
    comments = list(Comment.objects.filter(version__draft=draft).select_related("author", "version").order_by("created_at", "id"))
    initial = {"base_version": version.number, **version.fields}
    return {
        "draft": draft,
        "version": version,
        "versions": versions,
        "check": check,
        "findings": findings,
        "unresolved": unresolved,
        "field_views": highlighted_fields(draft.channel, version.fields, findings),
        "meters": field_meters(draft.channel, version.fields, version.guide_version),
        "diff_previous": version_diff(draft.channel, versions[-2], version) if len(versions) > 1 else None,
        "diff_original": version_diff(draft.channel, versions[0], version) if len(versions) > 2 else None,
        "decisions": decisions,
        "comments": comments,
        "approvals": approvals,
        "approvals_required": status.requirement.approvals,
        "approval_status": status,
        "approve_blocked_reason": blocked_reason,
        "state_story": state_story(draft, version, decisions, status),
        "can_review": user.can_review and draft.state == DraftState.IN_REVIEW,
        "waiver_scopes": WaiverScope.choices,
        "can_override": user.can_review and draft.state == DraftState.IN_REVIEW and not authored,
        "can_edit": user.can_author or user.can_review,
        "can_submit": draft.state in (DraftState.DRAFT, DraftState.REJECTED) and (user.can_author or user.pk == draft.created_by_id),
        "edit_form": edit_form or DraftEditForm(initial=initial, channel_fields=CHANNEL_FIELDS[draft.channel]),
        "publish_steps": steps,
        "publications": publications,
        "provenance": version,
        "locale_sibling": default_locale_sibling(draft),
    }


# --- a brand's waivers ------------------------------------------------------------------------------

# Outcome events as the journeys API reports them; read through relations (journeys sits above review).
OUTCOME_EVENTS = ("delivered", "opened", "clicked", "converted", "unsubscribed")


def brand_waivers(brand: Brand) -> list[Any]:
    """Every waiver in the brand, newest first, each with what its version did once live (outcome totals)."""
    outcome_sums = {
        event: Sum("version__publications__outcomes__count", filter=Q(version__publications__outcomes__event=event)) for event in OUTCOME_EVENTS
    }
    waivers = (
        FindingOverride.objects.filter(version__draft__brief__brand=brand)
        .select_related("reviewer", "version__draft__brief", "version__draft__segment", "applied_from__reviewer")
        .annotate(publications_count=Count("version__publications", distinct=True), **outcome_sums)
        .order_by("-created_at", "-id")
    )
    rows: list[Any] = list(waivers)
    for waiver in rows:
        delivered = getattr(waiver, "delivered") or 0
        waiver.outcomes = {event: getattr(waiver, event) or 0 for event in OUTCOME_EVENTS}
        waiver.rates = {
            event: f"{100 * (getattr(waiver, event) or 0) / delivered:.1f}%" if delivered else "–" for event in ("clicked", "converted", "unsubscribed")
        }
    return rows
