from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from workbench.access import acting_user, role_required
from workbench.audit.actions import latest_verification
from workbench.audit.describe import action_label, describe, object_type_label
from workbench.audit.forms import AuditFilterForm
from workbench.audit.history import HISTORY_TYPES, object_history
from workbench.audit.log import record
from workbench.audit.models import Action, AuditEvent
from workbench.audit.templatetags.audit import SURROGATE, encodable

EXPORT_FIELDS = ["seq", "created_at", "actor_type", "actor_id", "actor_label", "action", "object_type", "object_id", "changes", "request_id", "client_request_id", "ip", "prev_hash", "hash"]
PAGE_SIZE = 50


def _filter_form(request: HttpRequest) -> AuditFilterForm:
    form = AuditFilterForm(request.GET or None)
    form.is_valid()
    return form


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@role_required("can_read_audit")
def audit_log(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    events = form.apply(AuditEvent.objects.all()).order_by("-seq")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {
        "page": page, "rows": _rows(page), "form": form, "query": _query_without_page(request), "verification": latest_verification(),
    })


def _rows(page: Any) -> list[tuple[AuditEvent, Any, str]]:
    """Each event of the page with its sentence and the name of its action."""
    return [(event, sentence, action_label(event.action)) for event, sentence in describe(page.object_list)]


@role_required("can_read_audit")
def audit_object(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    events = object_history(object_type, object_id)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page, "rows": _rows(page), "object_type": object_type, "object_label": object_type_label(object_type), "object_id": object_id,
        "with_related": object_type in HISTORY_TYPES, "query": "",
    }
    return render(request, "audit/object.html", context)


def audit_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    if not acting_user(request).can_read_audit:  # role_required's type is for HttpResponse views; this one streams
        raise PermissionDenied("Your role does not allow this (can read audit).")
    form = _filter_form(request)
    if form.errors:
        problems = "; ".join(f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items())
        return HttpResponseBadRequest(f"The export filters are invalid ({problems}). Nothing was exported.", content_type="text/plain; charset=utf-8")
    events = form.apply(AuditEvent.objects.all()).order_by("seq")
    with transaction.atomic():
        filters = {name: str(value) for name, value in form.cleaned_data.items() if value} if form.is_bound else {}
        record(Action.AUDIT_EXPORT, ("audit.auditevent", "export"), actor=acting_user(request), changes={"format": fmt, "filters": filters})
    # iterator() keeps memory flat: rows are fetched in chunks (a server-side cursor on PostgreSQL), never all at once.
    rows = events.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000)
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_jsonl_lines(rows), content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="copydesk-audit.{fmt}"'
    return response


def _plain(value: object) -> object:
    """Timestamps as ISO 8601, exactly as they are hashed, so an export can be re-verified outside Copydesk."""
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _spreadsheet_safe(value: object) -> object:
    """Anyone can type a username at the login form, and it lands in the log: a cell starting with = + - @
    would run as a formula when the CSV is opened in a spreadsheet, so it is prefixed with a quote.
    A lone surrogate (UTF-8 cannot encode it) is shown as U+FFFD. The JSONL export keeps every value exactly, for verification."""
    if isinstance(value, str):
        value = encodable(value)
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
    return value


def _csv_lines(rows: Iterator[tuple[object, ...]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        writer.writerow([encodable(json.dumps(v, sort_keys=True, ensure_ascii=False)) if isinstance(v, (dict, list)) else _spreadsheet_safe(_plain(v)) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _exact_json(value: object) -> str:
    """JSON with non-ASCII text as is, except lone surrogates (not encodable as UTF-8), written as the
    \\udXXX escapes that decode back to exactly the stored value."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _jsonl_lines(rows: Iterator[tuple[object, ...]]) -> Iterator[str]:
    for row in rows:
        yield _exact_json(dict(zip(EXPORT_FIELDS, (_plain(v) for v in row)))) + "\n"
