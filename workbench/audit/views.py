from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from workbench.access import acting_user
from workbench.audit.log import record
from workbench.audit.models import Action, AuditEvent

EXPORT_FIELDS = ["seq", "created_at", "actor_type", "actor_id", "actor_label", "action", "object_type", "object_id", "changes", "request_id", "ip", "prev_hash", "hash"]


def filtered_events(request: HttpRequest) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if actor := request.GET.get("actor", "").strip():
        events = events.filter(actor_label=actor)
    if action := request.GET.get("action", "").strip():
        events = events.filter(action=action)
    if object_type := request.GET.get("object_type", "").strip():
        events = events.filter(object_type=object_type)
    if object_id := request.GET.get("object_id", "").strip():
        events = events.filter(object_id=object_id)
    return events


def audit_log(request: HttpRequest) -> HttpResponse:
    events = filtered_events(request).order_by("-seq")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"page": page, "actions": Action.choices, "query": query.urlencode(), "filters": request.GET})


def audit_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    events = filtered_events(request).order_by("seq")
    with transaction.atomic():
        record(Action.AUDIT_EXPORT, ("audit.auditevent", "export"), actor=acting_user(request), changes={"format": fmt, "filters": dict(request.GET.items())})
    rows = events.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000)
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_jsonl_lines(rows), content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="copydesk-audit.{fmt}"'
    return response


def _csv_lines(rows: Iterator[tuple[object, ...]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        writer.writerow([json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _jsonl_lines(rows: Iterator[tuple[object, ...]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(dict(zip(EXPORT_FIELDS, row)), default=str, ensure_ascii=False) + "\n"
