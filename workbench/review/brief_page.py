"""The brief page: the brief, what Generate makes, the run's progress and the grid of its drafts, updated live together.

It lives in review, above generation and checks, because its grid shows check status and approvals."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from workbench.access import acting_user
from workbench.accounts.models import User
from workbench.brand.models import CHANNELS
from workbench.generation.actions import can_manage_brief, discard_refusal
from workbench.generation.estimate import brief_plan
from workbench.generation.models import Brief, Draft, DraftState, GenerationRun, RunStatus
from workbench.htmx import HtmxHttpRequest
from workbench.review.presenters import Card, GridRow, prefetched_drafts, with_latest

DISCARDED = "discarded"


def brief_grid(brief: Brief, state: str = "", user: User | None = None) -> dict[str, Any]:
    """The drafts by segment and channel. Discarded drafts are left out unless the filter asks for them."""
    counts = Draft.objects.filter(brief=brief).values("state").annotate(n=Count("id"), gone=Count("id", filter=Q(discarded_at__isnull=False)))
    kept = {row["state"]: row["n"] - row["gone"] for row in counts}
    discarded = sum(row["gone"] for row in counts)
    drafts = prefetched_drafts().filter(brief=brief)
    if state == DISCARDED:
        drafts = drafts.filter(discarded_at__isnull=False)
    else:
        drafts = drafts.filter(discarded_at__isnull=True)
        if state in DraftState.values:
            drafts = drafts.filter(state=state)
    by_cell: dict[tuple[int, str], list[Card]] = defaultdict(list)
    discardable = set()
    for card in with_latest(drafts.order_by("number")):
        by_cell[(card.draft.segment_id, card.draft.channel)].append(card)
        if user is not None and not discard_refusal(card.draft, user):
            discardable.add(card.draft.pk)
    channels = [c for c in CHANNELS if c in brief.channels]
    rows = []
    for segment in brief.segments.order_by("name"):
        row = GridRow(segment.name, segment.sensitive, segment.tone_context)
        row.cells = [by_cell.get((segment.pk, channel), []) for channel in channels]
        rows.append(row)
    states = [{"value": s.value, "label": s.label, "count": kept.get(s.value, 0)} for s in DraftState]
    states.append({"value": DISCARDED, "label": "Discarded", "count": discarded})
    return {
        "channels": [CHANNELS[c].label for c in channels], "rows": rows, "states": states, "total": sum(kept.values()),
        "all_drafts": sum(kept.values()) + discarded, "discardable": discardable,
    }


PARTS = {"live": "generation/brief_detail.html#live", "progress": "generation/brief_detail.html#progress"}


def brief_detail(request: HtmxHttpRequest, brief_id: int) -> HttpResponse:
    brief = get_object_or_404(Brief.objects.select_related("brand", "created_by", "prompt_template"), pk=brief_id)
    user = acting_user(request)
    run = GenerationRun.objects.filter(brief=brief).prefetch_related("jobs__segment").first()
    jobs = list(run.jobs.all()) if run else []
    generating = bool(run) and not run.cancelled and any(j.status in (RunStatus.QUEUED, RunStatus.RUNNING) for j in jobs)  # type: ignore[union-attr]
    state = request.GET.get("state", "")
    context = {
        "brief": brief, "run": run, "grid": brief_grid(brief, state, user), "state_filter": state,
        "generating": generating, "run_total": len(jobs), "run_done": sum(j.status == RunStatus.DONE for j in jobs),
        "plan": brief_plan(brief), "can_manage": can_manage_brief(user, brief), "run_count": brief.runs.count(),
        "revisions": list(brief.revisions.select_related("replaced_by").order_by("-number")),
    }
    part = request.GET.get("part", "")
    template = PARTS[part] if request.htmx and part in PARTS else "generation/brief_detail.html"
    return render(request, template, context)
