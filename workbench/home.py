"""The home page: what each person has to do next, one section per role they hold (an admin sees them all).

It reads across the pipeline (drafts, the review queue with its policy and deadlines, publications, the audit
check, the worker), so it sits above every app, beside the URL configuration that routes to it. Each section runs
a fixed number of queries whatever the amount of content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from workbench import heartbeat
from workbench.access import acting_user
from workbench.accounts.models import User
from workbench.audit.actions import latest_verification
from workbench.audit.models import AuditVerification
from workbench.generation.models import Draft, DraftState, DraftVersion, GenerationJob, RunStatus
from workbench.journeys.models import Publication
from workbench.review.deadlines import DUE_SOON, active_claim_holder
from workbench.review.models import Decision, ReviewDecision
from workbench.review.presenters import Card, prefetched_drafts, with_latest

SHOWN = 8  # rows per list; each list links to the page that has them all
# The reviewer's list judges the soonest-due drafts in review with the approval policy, this many at most, so the
# page stays fast with a queue of thousands; the queue itself has every draft.
REVIEW_WINDOW = 100
FAILED_JOBS_SINCE = dt.timedelta(days=7)
# Soonest due first; drafts submitted before deadlines existed have none and come last (on every database).
SOONEST_DUE = F("review_deadline__due_at").asc(nulls_last=True)


@dataclass
class MarketerSection:
    in_review: list[Draft]
    in_review_count: int
    returned: list[Draft]
    returned_count: int
    writing_count: int


@dataclass
class ReviewRow:
    card: Card
    due_at: dt.datetime | None
    overdue: bool
    due_soon: bool
    claimed_by_me: bool


@dataclass
class ReviewerSection:
    rows: list[ReviewRow]
    actionable: int
    overdue: int
    due_soon: int
    in_review: int
    window_full: bool
    window: int = REVIEW_WINDOW


@dataclass
class PublisherSection:
    drafts: list[Draft]
    count: int
    live_count: int


@dataclass
class HealthSection:
    heartbeat_at: dt.datetime | None
    worker_alive: bool
    verification: AuditVerification | None
    failed_jobs: list[GenerationJob]
    failed_count: int


def home(request: HttpRequest) -> HttpResponse:
    user, now = acting_user(request), timezone.now()
    context: dict[str, Any] = {"now": now}
    if user.can_author:
        context["marketer"] = marketer_section(user)
    if user.can_review:
        context["reviewer"] = reviewer_section(user, now=now)
    if user.can_publish:
        context["publisher"] = publisher_section()
    if user.is_copydesk_admin:
        context["health"] = health_section(now=now)
    elif user.can_read_audit:
        context["verification"] = latest_verification()
    return render(request, "home.html", context)


def marketer_section(user: User) -> MarketerSection:
    """Her drafts in review (soonest due first) and those sent back to her (rejected, or changes asked for) with the
    reviewer's reason."""
    mine = Draft.objects.filter(created_by=user).select_related("brief", "segment")
    in_review = mine.filter(state=DraftState.IN_REVIEW).select_related("review_deadline").order_by(SOONEST_DUE, "pk")
    sent_back = ReviewDecision.objects.filter(version__draft=OuterRef("pk")).exclude(decision=Decision.APPROVE)
    returned = mine.filter(state__in=[DraftState.REJECTED, DraftState.DRAFT]).filter(Exists(sent_back)).order_by("-updated_at", "-pk")
    returned_rows = list(returned[:SHOWN])
    # The decision that sent each back: the newest that was not an approval, all read in one query.
    last: dict[int, ReviewDecision] = {}
    decisions = ReviewDecision.objects.filter(version__draft__in=returned_rows).exclude(decision=Decision.APPROVE).select_related("reviewer", "version")
    for decision in decisions.order_by("created_at", "id"):
        last[decision.version.draft_id] = decision
    returned_rows = [_with_decision(draft, last.get(draft.pk)) for draft in returned_rows]
    in_review_count = mine.filter(state=DraftState.IN_REVIEW).count()
    writing = mine.filter(state=DraftState.DRAFT).exclude(Exists(sent_back)).count()
    return MarketerSection(list(in_review[:SHOWN]), in_review_count, returned_rows, returned.count(), writing)


def _with_decision(draft: Draft, decision: ReviewDecision | None) -> Draft:
    draft.sent_back = decision  # type: ignore[attr-defined]
    return draft


def reviewer_section(user: User, *, now: dt.datetime) -> ReviewerSection:
    """The drafts in review this reviewer can act on, soonest due first: the approval policy decides (the same
    function the queue and the approve action ask), and a draft another reviewer has claimed is theirs for now."""
    waiting = Draft.objects.filter(state=DraftState.IN_REVIEW)
    ids = list(waiting.order_by(SOONEST_DUE, "updated_at", "pk").values_list("pk", flat=True)[: REVIEW_WINDOW + 1])
    window_full = len(ids) > REVIEW_WINDOW
    ids = ids[:REVIEW_WINDOW]
    drafts = prefetched_drafts().select_related("review_deadline__claimed_by").filter(pk__in=ids)
    by_pk = {d.pk: d for d in drafts}
    rows = []
    for card in with_latest(by_pk[pk] for pk in ids if pk in by_pk):
        if card.status.refusal_for(user):
            continue
        deadline = getattr(card.draft, "review_deadline", None)
        holder = active_claim_holder(deadline, now=now)
        if holder is not None and holder.pk != user.pk:
            continue
        due_at = deadline.due_at if deadline is not None else None
        rows.append(ReviewRow(card, due_at, due_at is not None and due_at < now, due_at is not None and now <= due_at < now + DUE_SOON, holder is not None))
    in_review = len(ids) if not window_full else waiting.count()
    return ReviewerSection(
        rows[:SHOWN], len(rows), sum(r.overdue for r in rows), sum(r.due_soon for r in rows), in_review, window_full
    )


def publisher_section() -> PublisherSection:
    """Approved drafts whose approved version is not published anywhere (nor scheduled): ready to go live."""
    latest = DraftVersion.objects.filter(draft=OuterRef("pk")).order_by("-number").values("pk")[:1]
    published = Publication.objects.current().filter(version_id=OuterRef("latest_version_id"))
    ready = (
        Draft.objects.filter(state=DraftState.APPROVED)
        .annotate(latest_version_id=Subquery(latest))
        .exclude(Exists(published))
        .select_related("brief", "segment")
        .order_by("-updated_at", "-pk")
    )
    return PublisherSection(list(ready[:SHOWN]), ready.count(), Publication.objects.live().count())


def health_section(*, now: dt.datetime) -> HealthSection:
    beat = heartbeat.last_heartbeat()
    failed = GenerationJob.objects.filter(status=RunStatus.FAILED, finished_at__gte=now - FAILED_JOBS_SINCE)
    return HealthSection(
        beat,
        heartbeat.worker_alive(beat, now=now),
        latest_verification(),
        list(failed.select_related("run__brief", "segment").order_by("-finished_at", "-pk")[:SHOWN]),
        failed.count(),
    )
