"""Page data for the brief grid, the review queue and the draft page, fetched in a fixed number of queries."""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from workbench.accounts.models import User
from workbench.brand.models import BrandGuideVersion, Channel
from workbench.checks.engine import CHANNEL_FIELDS, sms_segments
from workbench.checks.highlight import pieces
from workbench.checks.models import CheckResult, finding_key
from workbench.checks.services import compiled_guide
from workbench.generation.forms import DraftEditForm
from workbench.generation.models import Brief, Draft, DraftState, DraftVersion
from workbench.generation.siblings import default_locale_sibling
from workbench.journeys.models import JourneyStep, Publication
from workbench.review.models import Comment, Decision, ReviewDecision


def approve_blocked_reason(user: User, *, state: str, authored: bool, approved_already: bool, unresolved: int) -> str:
    """Why this user cannot approve right now ("" when they can). The server enforces the same rules."""
    if not user.can_review:
        return "Only reviewers can approve."
    if state != DraftState.IN_REVIEW:
        return f"The draft is {DraftState(state).label.lower()}; it must be submitted for review first."
    if authored:
        return "You wrote or edited this draft, so someone else must approve it (four-eyes)."
    if approved_already:
        return "You already approved this version; a second, different reviewer must approve it too."
    if unresolved:
        return f"{unresolved} blocking finding(s) need a fix or an override with a justification first."
    return ""


@dataclass
class Card:
    """A draft with its latest version and that version's latest check, read from prefetched rows."""

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

    @property
    def unresolved(self) -> int:
        if self.check is None:
            return 1  # an unchecked version cannot be approved
        overridden = {o.finding_key for o in self.version.overrides.all()}
        return sum(1 for f in self.check.blocking if finding_key(f) not in overridden)

    @property
    def approvers(self) -> list[int]:
        return [d.reviewer_id for d in self.version.decisions.all() if d.decision == Decision.APPROVE]

    def approve_blocked_reason(self, user: User) -> str:
        authors = {self.draft.created_by_id, *(v.author_id for v in self.draft.versions.all())}
        return approve_blocked_reason(
            user, state=self.draft.state, authored=user.pk in authors, approved_already=user.pk in self.approvers, unresolved=self.unresolved
        )


@dataclass
class GridRow:
    segment_name: str
    sensitive: bool
    tone_context: str
    cells: list[list[Card]] = field(default_factory=list)


def with_latest(drafts: Any) -> list[Card]:
    cards = []
    for draft in drafts:
        versions = sorted(draft.versions.all(), key=lambda v: v.number)
        if not versions:
            continue
        version = versions[-1]
        checks = sorted(version.check_results.all(), key=lambda c: (c.created_at, c.pk))
        cards.append(Card(draft, version, checks[-1] if checks else None))
    return cards


def prefetched_drafts() -> QuerySet[Draft]:
    versions = DraftVersion.objects.prefetch_related("check_results", "overrides", "decisions")
    return Draft.objects.select_related("segment", "brief__brand", "created_by").prefetch_related(Prefetch("versions", queryset=versions))


def brief_grid(brief: Brief, state: str = "") -> dict[str, Any]:
    drafts = prefetched_drafts().filter(brief=brief)
    state_counts = Counter({row["state"]: row["n"] for row in Draft.objects.filter(brief=brief).values("state").annotate(n=Count("id"))})
    if state in DraftState.values:
        drafts = drafts.filter(state=state)
    by_cell: dict[tuple[int, str], list[Card]] = defaultdict(list)
    for card in with_latest(drafts.order_by("variant", "locale")):
        by_cell[(card.draft.segment_id, card.draft.channel)].append(card)
    channels = [c for c in Channel.values if c in brief.channels]
    rows = []
    for segment in brief.segments.order_by("name"):
        row = GridRow(segment.name, segment.sensitive, segment.tone_context)
        row.cells = [by_cell.get((segment.pk, channel), []) for channel in channels]
        rows.append(row)
    states = [{"value": s.value, "label": s.label, "count": state_counts.get(s.value, 0)} for s in DraftState]
    return {"channels": [Channel(c).label for c in channels], "rows": rows, "states": states, "total": sum(state_counts.values())}


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
        if channel == "sms" and name == "body":
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


def state_story(draft: Draft, version: DraftVersion, decisions: list[ReviewDecision], approvals: list[ReviewDecision]) -> str:
    """One sentence saying where the draft stands and what happens next."""
    last = next((d for d in reversed(decisions) if d.version_id == version.pk), None)
    required = draft.segment.approvals_required
    if draft.state == DraftState.APPROVED:
        names = " and ".join(a.reviewer.display_name for a in approvals)
        return f"Approved by {names}. Ready to publish: a publisher can put version {version.number} live on a journey step."
    if draft.state == DraftState.IN_REVIEW:
        if approvals:
            return f"Approved by {approvals[0].reviewer.display_name}, pending a second reviewer: this sensitive segment needs {required} approvals from different reviewers."
        return f"Waiting for review. It needs {required} approval{'s' if required > 1 else ''} from {'different reviewers' if required > 1 else 'a reviewer'} other than its author."
    if last is not None and last.decision != Decision.APPROVE:
        what = "rejected it" if last.decision == Decision.REJECT else "asked for changes"
        return f"{last.reviewer.display_name} {what}: “{last.reason}”. The author can edit it (a new version) and submit it again."
    return "Being written. Edit it as needed, then submit it for review."


def draft_page_context(draft: Draft, user: User, edit_form: DraftEditForm | None = None) -> dict[str, Any]:
    versions = list(draft.versions.select_related("author", "guide_version__brand", "prompt_version").order_by("number"))
    version = versions[-1]
    check = version.check_results.select_related("guide_version").order_by("-created_at", "-id").first()
    findings = [dict(f) for f in (check.findings if check else [])]
    overridden = {o.finding_key: o for o in version.overrides.select_related("reviewer")}
    for finding in findings:
        finding["key"] = finding_key(finding)
        finding["override"] = overridden.get(finding["key"])
    decisions = list(ReviewDecision.objects.filter(version__draft=draft).select_related("reviewer", "version").order_by("created_at", "id"))
    approvals = [d for d in decisions if d.version_id == version.pk and d.decision == Decision.APPROVE]
    unresolved = [f for f in findings if f["severity"] == "block" and not f.get("override")]
    authored = draft.created_by_id == user.pk or any(v.author_id == user.pk for v in versions)
    blocked_reason = approve_blocked_reason(
        user, state=draft.state, authored=authored, approved_already=any(a.reviewer_id == user.pk for a in approvals), unresolved=len(unresolved) if check else 1
    )
    steps = (
        JourneyStep.objects.filter(channel=draft.channel, journey__brand=draft.brief.brand).select_related("journey")
        if user.can_publish and draft.state == DraftState.APPROVED
        else JourneyStep.objects.none()
    )
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
        "approvals_required": draft.segment.approvals_required,
        "approve_blocked_reason": blocked_reason,
        "state_story": state_story(draft, version, decisions, approvals),
        "can_review": user.can_review and draft.state == DraftState.IN_REVIEW,
        "can_override": user.can_review and draft.state == DraftState.IN_REVIEW and not authored,
        "can_edit": user.can_author or user.can_review,
        "can_submit": draft.state in (DraftState.DRAFT, DraftState.REJECTED) and (user.can_author or user.pk == draft.created_by_id),
        "edit_form": edit_form or DraftEditForm(initial=initial, channel_fields=CHANNEL_FIELDS[draft.channel]),
        "publish_steps": list(steps),
        "publications": list(Publication.objects.filter(version__draft=draft).select_related("step__journey", "segment", "version")),
        "provenance": version,
        "locale_sibling": default_locale_sibling(draft),
    }
