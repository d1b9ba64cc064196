"""Which audit events make up one object's full history.

A draft's history is spread over the objects its transitions touch: the draft
itself, each of its versions (created, checked, overridden) and every
publication of those versions. A publication's history is its own events
plus the history of the draft it put live.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from workbench.audit.models import AuditEvent

DRAFT = "generation.draft"
VERSION = "generation.draftversion"
PUBLICATION = "journeys.publication"
# Object types that have a history page linked from elsewhere in the UI.
HISTORY_TYPES = (DRAFT, PUBLICATION)


def _objects(object_type: str, ids: object) -> Q:
    return Q(object_type=object_type, object_id__in=[str(i) for i in ids])  # type: ignore[attr-defined]


def _model(object_type: str) -> Any:
    # The audit log sits below the apps whose objects it records: it finds their models by label, as it names them.
    return apps.get_model(object_type)


def _draft_scope(draft_id: int) -> Q:
    version_ids = list(_model(VERSION).objects.filter(draft_id=draft_id).values_list("pk", flat=True))
    publication_ids = _model(PUBLICATION).objects.filter(version_id__in=version_ids).values_list("pk", flat=True)
    return _objects(DRAFT, [draft_id]) | _objects(VERSION, version_ids) | _objects(PUBLICATION, publication_ids)


def object_history(object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """Every event of the object, oldest first; drafts and publications bring the objects they are made of."""
    scope = Q(object_type=object_type, object_id=object_id)
    if object_id.isdigit() and object_type == DRAFT:
        scope = _draft_scope(int(object_id))
    elif object_id.isdigit() and object_type == PUBLICATION:
        draft_id = _model(PUBLICATION).objects.filter(pk=int(object_id)).values_list("version__draft_id", flat=True).first()
        if draft_id is not None:
            scope = _draft_scope(draft_id)
    return AuditEvent.objects.filter(scope).order_by("seq")
