"""The review queue: drafts filtered by what a reviewer asks for, with a count beside every filter option."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, OrderBy, QuerySet
from django.http import QueryDict
from django.utils import timezone

from workbench.brand.locales import LOCALE_TAG
from workbench.brand.models import CHANNELS
from workbench.generation.models import Draft, DraftState
from workbench.generation.query import id_param
from workbench.review.deadlines import DUE_SOON
from workbench.review.models import ReviewDeadline

# filter name -> (the Draft field it filters on, the field naming each option)
FACETS: dict[str, tuple[str, str]] = {
    "brand": ("brief__brand_id", "brief__brand__name"),
    "brief": ("brief_id", "brief__title"),
    "segment": ("segment_id", "segment__name"),
    "channel": ("channel", "channel"),
    "locale": ("locale", "locale"),
    "state": ("state", "state"),
    "blocking": ("blocking", "blocking"),
    "sensitive": ("segment__sensitive", "segment__sensitive"),
}
ID_FACETS = {"brand", "brief", "segment"}
YES_NO = {"yes": True, "no": False}
SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "oldest": ("updated_at", "id"),
    "newest": ("-updated_at", "-id"),
    # Soonest due first; drafts submitted before deadlines existed have none and come last.
    "due": (F("review_deadline__due_at").asc(nulls_last=True), "updated_at", "id"),
}
DUE_FILTERS = {"overdue": "Overdue", "soon": "Due within 4 hours", "later": "Due later"}
ANY_STATE = "any"


@dataclass
class QueueFilters:
    values: dict[str, Any]
    sort: str
    due: str = field(default="")

    @classmethod
    def from_query(cls, query: QueryDict) -> QueueFilters:
        """Read the filters a reviewer picked; values that make no sense are dropped, not an error page."""
        values: dict[str, Any] = {}
        for name in ID_FACETS:
            if (pk := id_param(query.get(name))) is not None:
                values[name] = pk
        if query.get("channel") in CHANNELS:
            values["channel"] = query["channel"]
        if LOCALE_TAG.match(query.get("locale", "")):
            values["locale"] = query["locale"]
        state = query.get("state", DraftState.IN_REVIEW)
        if state in DraftState.values:
            values["state"] = state
        for name in ("blocking", "sensitive"):
            answer = query.get(name, "")
            if answer in YES_NO:
                values[name] = YES_NO[answer]
        sort = query.get("sort", "oldest")
        due = query.get("due", "")
        return cls(values, sort if sort in SORTS else "oldest", due if due in DUE_FILTERS else "")

    @property
    def state_param(self) -> str:
        return str(self.values.get("state", ANY_STATE))

    def apply(self, drafts: QuerySet[Draft], *, skip: str = "") -> QuerySet[Draft]:
        conditions = {FACETS[name][0]: value for name, value in self.values.items() if name != skip}
        return due_filtered(drafts.filter(**conditions), self.due)


def due_filtered(drafts: QuerySet[Draft], due: str) -> QuerySet[Draft]:
    now = timezone.now()
    if due == "overdue":
        return drafts.filter(review_deadline__due_at__lt=now)
    if due == "soon":
        return drafts.filter(review_deadline__due_at__gte=now, review_deadline__due_at__lt=now + DUE_SOON)
    if due == "later":
        return drafts.filter(review_deadline__due_at__gte=now + DUE_SOON)
    return drafts


def queue_drafts(filters: QueueFilters) -> QuerySet[Draft]:
    return filters.apply(Draft.objects.all()).order_by(*SORTS[filters.sort])


def overdue_count(filters: QueueFilters) -> int:
    """How many of the drafts these filters show are past due (one query, whatever the page)."""
    if filters.due not in ("", "overdue"):
        return 0
    # Driven from the due-time index (only the overdue few are joined to their drafts), not from every draft.
    conditions = {f"draft__{FACETS[name][0]}": value for name, value in filters.values.items()}
    return ReviewDeadline.objects.filter(due_at__lt=timezone.now(), **conditions).count()


def facet_counts(filters: QueueFilters) -> dict[str, list[dict[str, Any]]]:
    """For each filter, its options with how many drafts each would show given the other filters."""
    facets: dict[str, list[dict[str, Any]]] = {}
    for name, (key, label) in FACETS.items():
        drafts = filters.apply(Draft.objects.all(), skip=name)
        rows = drafts.order_by().values(key, label).annotate(n=Count("pk"))
        options = sorted(({"value": r[key], "label": r[label], "count": r["n"]} for r in rows), key=lambda o: str(o["label"]))
        facets[name] = [_labelled(name, option, filters.values.get(name)) for option in options]
    return facets


def _labelled(name: str, option: dict[str, Any], selected: Any) -> dict[str, Any]:
    value = option["value"]
    option["selected"] = value == selected
    if name == "channel":
        option["label"] = CHANNELS[value].label
    elif name == "state":
        option["label"] = DraftState(value).label
    elif name == "locale":
        option["label"] = value or "(brand default)"
    elif name in ("blocking", "sensitive"):
        option["value"] = "yes" if value else "no"
        option["label"] = "Yes" if value else "No"
    return option

