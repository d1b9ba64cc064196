"""Page data for the brief grid, the review queue and the draft page, fetched in a fixed number of queries."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from workbench.accounts.models import User
from workbench.brand.models import CHANNELS, Brand, BrandGuideVersion, Channel
from workbench.checks.actions import with_suggestion
from workbench.checks.engine import CHANNEL_FIELDS, sms_segments
from workbench.checks.highlight import pieces
from workbench.checks.models import CheckResult, finding_key
from workbench.checks.services import compiled_guide
from workbench.generation import edit_rule
from workbench.generation.forms import DraftEditForm
from workbench.generation.models import Draft, DraftState, DraftVersion, VersionOrigin
from workbench.generation.siblings import default_locale_sibling
from workbench.review import deadlines
from workbench.review.actions import earlier_waivers
from workbench.review.models import Comment, Decision, FindingOverride, ReviewDeadline, ReviewDecision, WaiverScope
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
    def name(self) -> str:
        """What a reviewer calls this draft, so buttons and confirmations say what they act on."""
        # The locale tells drafts apart only when the brief was written in more than one.
        locale = f" ({self.draft.locale})" if self.draft.locale and len(self.draft.brief.locales) > 1 else ""
        return f"{self.draft.brief.title} — {self.draft.get_channel_display()} #{self.draft.number} for {self.draft.segment.name}{locale}"

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
_WORD_CHAR = re.compile(r"\w")


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """(op, text) pieces, op one of "same", "del", "ins", "gap": a word-level diff a template can mark up.

    Spaces are tokens of their own and are kept, so the pieces joined give back each text exactly. A change that
    spans several words reads as one deletion then one insertion (the single spaces the two texts happen to share
    between changed words are folded into it, instead of "Shop<del>the</del><ins>in</ins> ..." word by word), and
    where a deleted word and an inserted word would touch with no space between them a "gap" piece (one space, in neither
    text) keeps them apart, so the page never reads "ShopBack thein Alpineall".
    """
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    chunks: list[tuple[str, str, str]] = []  # (kind, before text, after text), kind "same" or "change"
    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = 0 < index < len(opcodes) - 1
        if op == "equal" and not (between_changes and all(t.isspace() for t in a[i1:i2])):
            chunks.append(("same", "".join(a[i1:i2]), ""))
        elif chunks and chunks[-1][0] == "change":
            _, old, new = chunks.pop()
            chunks.append(("change", old + "".join(a[i1:i2]), new + "".join(b[j1:j2])))
        else:
            chunks.append(("change", "".join(a[i1:i2]), "".join(b[j1:j2])))
    out: list[tuple[str, str]] = []
    for kind, old, new in chunks:
        if kind == "same":
            out.append(("same", old))
            continue
        if old:
            out.append(("del", old))
        if old and new and _WORD_CHAR.match(old[-1]) and _WORD_CHAR.match(new[0]):
            out.append(("gap", " "))
        if new:
            out.append(("ins", new))
    return out


def version_diff(channel: str, old: DraftVersion, new: DraftVersion) -> list[dict[str, Any]]:
    out = []
    for name in CHANNEL_FIELDS[channel]:
        pieces_ = word_diff(old.fields.get(name, ""), new.fields.get(name, ""))
        out.append({
            "name": name, "changed": old.fields.get(name, "") != new.fields.get(name, ""), "pieces": pieces_,
            # Side by side: the old text with what went, the new text with what came.
            "before": [p for p in pieces_ if p[0] in ("same", "del")], "after": [p for p in pieces_ if p[0] in ("same", "ins")],
        })
    return out


@dataclass(frozen=True)
class DiffChoice:
    """Which two versions the Changes panel compares, and how (inline or side by side)."""

    old: DraftVersion
    new: DraftVersion
    mode: str
    fields: list[dict[str, Any]]


def diff_choice(channel: str, versions: list[DraftVersion], old_number: int | None, new_number: int | None, mode: str) -> DiffChoice | None:
    """By default the previous version against the current one; any two can be asked for (?from=&to=)."""
    if len(versions) < 2:
        return None
    by_number = {v.number: v for v in versions}
    new = by_number.get(new_number or 0, versions[-1])
    old = by_number.get(old_number or 0) or by_number.get(new.number - 1) or versions[0]
    if old.number == new.number:
        old = by_number.get(new.number - 1, versions[0]) if new.number > versions[0].number else versions[1]
    if old.number > new.number:
        old, new = new, old
    return DiffChoice(old, new, "side" if mode == "side" else "inline", version_diff(channel, old, new))


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


def state_story(draft: Draft, version: DraftVersion, decisions: list[ReviewDecision], status: ApprovalStatus, authors: list[str] | None = None) -> str:
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
        if authors and len(authors) > 1:  # a reviewer edited it: they are an author now, and cannot approve it
            return f"Waiting for review by a reviewer other than its authors ({_and(authors)}). {status.requirement.describe()}."
        return f"Waiting for review by reviewers other than its author. {status.requirement.describe()}."
    if last is not None and last.decision != Decision.APPROVE:
        what = "rejected it" if last.decision == Decision.REJECT else "asked for changes"
        return f"{last.reviewer.display_name} {what}: “{last.reason}”. The author can edit it (a new version) and submit it again."
    return "Being written. Edit it as needed, then submit it for review."


def _and(items: list[str]) -> str:
    if not items:
        return "nothing more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fix_for(text: str, finding: dict[str, Any]) -> dict[str, Any] | None:
    """A finding's one-click fix, for the page to apply in the editor: the exact replacement of its span (the same
    text the server's suggestion_apply would write) and a little text either side, so the page applies it only where
    the text it was computed on is still there."""
    start, end = finding.get("start"), finding.get("end")
    if not finding.get("suggestion") or not isinstance(start, int) or not isinstance(end, int) or end > len(text):
        return None
    if text[start:end] != finding.get("match", text[start:end]):
        return None
    fixed = with_suggestion(text, finding)
    return {
        "field": finding["field"], "start": start, "end": end, "match": text[start:end],
        "replacement": fixed[start:len(fixed) - (len(text) - end)],
        "before": text[max(0, start - 24):start], "after": text[end:end + 24],
    }


def with_fixes(fields: dict[str, str], findings: list[dict[str, Any]]) -> None:
    for finding in findings:
        finding["fix"] = fix_for(fields.get(str(finding.get("field")), ""), finding)


def editor_fields(form: DraftEditForm, fields: dict[str, str], findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each text box with what is drawn under it: the saved text's findings, or the typed text unmarked when the
    form came back refused (the saved text's spans would not fit it)."""
    out = []
    for bound in form.visible_fields():
        typed = bound.value() or ""
        stored = fields.get(bound.name, "")
        marks = pieces(stored, [f for f in findings if f.get("field") == bound.name]) if typed == stored else pieces(typed, [])
        count = sum(1 for f in findings if f.get("field") == bound.name) if typed == stored else 0
        if count:  # the marks are drawn, not read out: a screen reader hears how many there are and where they are listed
            bound.field.widget.attrs["aria-describedby"] = f"meter-{bound.name} marks-{bound.name}"
        out.append({"field": bound, "name": bound.name, "pieces": marks, "count": count})
    return out


@dataclass(frozen=True)
class Provenance:
    """Where a version came from. A hand edit names who edited it, and points at the version a model last wrote
    rather than repeating that version's prompt, provider and model as if the edit had been generated."""

    version: DraftVersion
    by_hand: bool
    model_source: DraftVersion | None  # for a hand edit: the latest earlier version a model wrote


def provenance_of(versions: list[DraftVersion]) -> Provenance:
    version = versions[-1]
    if version.origin != VersionOrigin.EDITED:
        return Provenance(version, False, None)
    source = next((v for v in reversed(versions[:-1]) if v.origin != VersionOrigin.EDITED), None)
    return Provenance(version, True, source)


@dataclass(frozen=True)
class DeadlineView:
    """The review deadline and the claim, as the decision panel shows them (review/deadlines.py decides both)."""

    due_at: datetime | None  # None: submitted before review deadlines existed
    overdue: bool
    due_soon: bool
    holder: User | None
    lapses_at: datetime | None
    mine: bool
    can_claim: bool


def deadline_view(draft: Draft, user: User, authored: bool) -> DeadlineView | None:
    if draft.state != DraftState.IN_REVIEW:
        return None
    deadline = ReviewDeadline.objects.select_related("claimed_by").filter(draft=draft).first()
    now = timezone.now()
    holder = deadlines.active_claim_holder(deadline, now=now)
    due = deadline.due_at if deadline is not None else None
    return DeadlineView(
        due_at=due, overdue=due is not None and due < now, due_soon=due is not None and now <= due < now + deadlines.DUE_SOON,
        holder=holder, lapses_at=deadlines.claim_lapses_at(deadline) if holder and deadline else None,
        mine=holder is not None and holder.pk == user.pk, can_claim=user.can_review and holder is None and not authored,
    )


def draft_page_context(
    draft: Draft, user: User, edit_form: DraftEditForm | None = None, *,
    diff_from: int | None = None, diff_to: int | None = None, diff_mode: str = "inline",
) -> dict[str, Any]:
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
    with_fixes(version.fields, findings)
    decisions = list(ReviewDecision.objects.filter(version__draft=draft).select_related("reviewer", "version").order_by("created_at", "id"))
    approvals = [d for d in decisions if d.version_id == version.pk and d.decision == Decision.APPROVE]
    unresolved = [f for f in findings if f["severity"] == "block" and not f.get("override")]
    authored = draft.created_by_id == user.pk or any(v.author_id == user.pk for v in versions)
    status = approval_status(version, check=check)
    deadline = deadline_view(draft, user, authored)
    blocked_reason = approve_blocked_reason(user, state=draft.state, status=status, unresolved=len(unresolved) if check else 1)
    if not blocked_reason and deadline is not None and deadline.holder is not None and not deadline.mine:
        blocked_reason = deadlines.refusal_for_claim(draft, user)  # the same sentence the server refuses with
    publications = sorted((p for v in versions for p in v.publications.all()), key=lambda p: (p.created_at, p.pk), reverse=True)
    comments = list(Comment.objects.filter(version__draft=draft).select_related("author", "version").order_by("created_at", "id"))
    initial = {"base_version": version.number, **version.fields}
    form = edit_form or DraftEditForm(initial=initial, channel_fields=CHANNEL_FIELDS[draft.channel])
    can_edit = user.can_author or user.can_review
    return {
        "draft": draft,
        "version": version,
        "versions": versions,
        "check": check,
        "findings": findings,
        "unresolved": unresolved,
        "field_views": highlighted_fields(draft.channel, version.fields, findings),
        "meters": field_meters(draft.channel, version.fields, version.guide_version),
        "diff": diff_choice(draft.channel, versions, diff_from, diff_to, diff_mode),
        "decisions": decisions,
        "comments": comments,
        "approvals": approvals,
        "approvals_required": status.requirement.approvals,
        "approval_status": status,
        "approve_blocked_reason": blocked_reason,
        "state_story": state_story(draft, version, decisions, status, list(dict.fromkeys([draft.created_by.display_name, *(v.author.display_name for v in versions)]))),
        "deadline": deadline,
        "can_review": user.can_review and draft.state == DraftState.IN_REVIEW,
        "waiver_scopes": WaiverScope.choices,
        "can_override": user.can_review and draft.state == DraftState.IN_REVIEW and not authored,
        "can_edit": can_edit,
        "edit_rule": edit_rule.edit_outcome(draft, user, author_name=draft.created_by.display_name) if can_edit else "",
        "edit_keeps_review": can_edit and edit_rule.keeps_review(draft, user),
        "can_submit": draft.state in (DraftState.DRAFT, DraftState.REJECTED) and (user.can_author or user.pk == draft.created_by_id),
        "edit_form": form,
        "editor_fields": editor_fields(form, version.fields, findings),
        "publications": publications,
        "provenance": provenance_of(versions),
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
