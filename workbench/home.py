"""The home page: counts from across the pipeline (briefs, drafts, the review queue, live content), so it sits above
every app, beside the URL configuration that routes to it."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from workbench.access import acting_user
from workbench.generation.models import Brief, Draft, DraftState
from workbench.journeys.models import Publication


def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    mine = Draft.objects.filter(Q(created_by=user)).exclude(state=DraftState.APPROVED)
    context = {
        "briefs": Brief.objects.select_related("brand").order_by("-created_at")[:5],
        "my_open_drafts": mine.count(),
        "my_rejected": mine.filter(state=DraftState.REJECTED).count(),
        "queue_count": Draft.objects.filter(state=DraftState.IN_REVIEW).exclude(created_by=user).count(),
        "approved_count": Draft.objects.filter(state=DraftState.APPROVED).count(),
        "live_count": Publication.objects.live().count(),
    }
    return render(request, "home.html", context)
