"""The screens a draft is reviewed on: the draft page and what its forms post (the brief's grid is in brief_page.py).

They live in review, above generation and checks, because they show findings, approvals and waivers."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workbench.access import acting_user
from workbench.checks.engine import CHANNEL_FIELDS, EngineInputError
from workbench.checks.services import run_engine
from workbench.errors import CopydeskError
from workbench.generation import actions, edit_rule
from workbench.generation.forms import DraftEditForm
from workbench.generation.limits import require_field_sizes
from workbench.generation.models import Draft, DraftVersion
from workbench.generation.query import id_param
from workbench.generation.sanitize import sanitize_fields
from workbench.review import actions as review_actions
from workbench.review.presenters import draft_page_context, field_meters, highlighted_fields, with_fixes


def _draft(draft_id: int) -> Draft:
    return get_object_or_404(Draft.objects.select_related("brief__brand", "segment", "created_by"), pk=draft_id)


def draft_detail(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft, user = _draft(draft_id), acting_user(request)
    review_actions.notifications_mark_read(acting_user=user, draft=draft)
    context = draft_page_context(
        draft, user, diff_from=id_param(request.GET.get("from")), diff_to=id_param(request.GET.get("to")), diff_mode=request.GET.get("diff", ""),
    )
    context["present"] = review_actions.presence_touch(draft, acting_user=user)
    return render(request, "generation/draft_detail.html", context)


def render_draft_page(request: HttpRequest, draft: Draft, status: int, **extra: object) -> HttpResponse:
    """The draft page again, after a refused change, with what the user typed and the reason."""
    # The refusal may be someone else's decision landing first: show the draft as it now stands.
    draft.refresh_from_db()
    context = draft_page_context(draft, acting_user(request), edit_form=extra.pop("edit_form", None))  # type: ignore[arg-type]
    context.update(extra, present=[])
    return render(request, "generation/draft_detail.html", context, status=status)


@require_POST
def draft_edit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _draft(draft_id)
    form = DraftEditForm(request.POST, channel_fields=CHANNEL_FIELDS[draft.channel])
    if not form.is_valid():
        problems = [str(error) for name, errors in form.errors.items() if name != "base_version" for error in errors]
        message = " ".join(problems) or "The form was incomplete; reload the page and try again."
        return render_draft_page(request, draft, 400, edit_form=form, edit_error=message)
    data = dict(form.cleaned_data)
    base = data.pop("base_version")
    try:
        version = actions.draft_edit(draft, fields=data, base_version=base, acting_user=acting_user(request))
    except CopydeskError as exc:
        return render_draft_page(request, draft, exc.http_status, edit_form=form, edit_error=exc.message)
    if version.number == base:
        messages.info(request, "Nothing changed, so no new version was made.")
    else:
        draft.refresh_from_db(fields=["state"])
        messages.success(request, edit_rule.saved_message(draft, version))
    return redirect("draft_detail", draft_id=draft.pk)


@require_POST
def draft_live_check(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Check the text being typed without storing anything: the findings and counters partial."""
    draft = _draft(draft_id)
    names = CHANNEL_FIELDS[draft.channel]
    typed = {name: request.POST.get(name, "") for name in names}
    guide_version = draft.brief.brand.current_guide()
    try:
        require_field_sizes(typed)
        fields = sanitize_fields(draft.channel, typed)
        result, context = run_engine(DraftVersion(draft=draft, fields=fields), guide_version)
    except (EngineInputError, CopydeskError) as exc:
        fields = typed
        # Mid-edit states such as an emptied draft are normal while typing: say so in the panel.
        return render(request, "generation/draft_detail.html#live", {
            "live": True, "live_status": "blocking", "live_error": exc.message if isinstance(exc, CopydeskError) else str(exc), "draft": draft, "findings": [],
            "live_fields": [], "meters": field_meters(draft.channel, fields, guide_version),
        })
    findings = [f.to_dict() for f in result.findings]
    with_fixes(fields, findings)
    status = "blocking" if not result.passed else "warnings" if findings else "clean"
    return render(request, "generation/draft_detail.html#live", {
        "live": True, "live_status": status, "draft": draft, "findings": findings, "context_name": context,
        "live_fields": highlighted_fields(draft.channel, fields, findings), "meters": field_meters(draft.channel, fields, guide_version),
    })


@require_POST
def draft_submit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft, pk=draft_id)
    try:
        review_actions.submit_for_review(draft, acting_user=acting_user(request))
    except CopydeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Submitted for review. Reviewers were notified; someone other than you will decide on it.")
    return redirect("draft_detail", draft_id=draft.pk)
