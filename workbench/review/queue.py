"""The review queue: drafts filtered by what a reviewer asks for, with a count beside every filter option."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.http import QueryDict

from workbench.brand.locales import LOCALE_TAG
from workbench.brand.models import CHANNELS
from workbench.generation.models import Draft, DraftState
from workbench.generation.query import id_param

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
SORTS = {"oldest": ("updated_at", "id"), "newest": ("-updated_at", "-id")}
ANY_STATE = "any"


@dataclass
class QueueFilters:
    values: dict[str, Any]
    sort: str

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
        return cls(values, sort if sort in SORTS else "oldest")

    @property
    def state_param(self) -> str:
        return str(self.values.get("state", ANY_STATE))

    def apply(self, drafts: QuerySet[Draft], *, skip: str = "") -> QuerySet[Draft]:
        conditions = {FACETS[name][0]: value for name, value in self.values.items() if name != skip}
        return drafts.filter(**conditions)


def queue_drafts(filters: QueueFilters) -> QuerySet[Draft]:
    return filters.apply(Draft.objects.all()).order_by(*SORTS[filters.sort])


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

