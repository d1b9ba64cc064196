"""The guide's form editors: terms, required texts, channel limits and tone contexts.

Each page edits the guide version it was opened on (its number rides along in the form) and saves
through actions.guide_section_update, which makes the next version exactly as a YAML save does.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from workbench.access import acting_user, role_required
from workbench.brand import actions
from workbench.brand.guide_forms import (
    TONE_LABELS,
    LimitsForm,
    RequiredForm,
    TermForm,
    ToneContextFormSet,
    ToneDefaultForm,
    VersionedForm,
    dims_initial,
    guide_problems,
    term_scopes,
    terms_path,
)
from workbench.brand.guide_sections import SectionPath
from workbench.brand.models import Brand, BrandGuideVersion, Segment
from workbench.errors import CopydeskError

_NUMBER = re.compile(r"[0-9]{1,6}")


def _opened_version(request: HttpRequest, slug: str) -> tuple[Brand, BrandGuideVersion, BrandGuideVersion]:
    """The brand, its current guide version and the version the form was opened on (the current one on GET)."""
    brand = get_object_or_404(Brand, slug=slug)
    current = brand.guide_versions.select_related("created_by").order_by("-number").first()
    if current is None:
        raise Http404(f"{brand.name} has no guide version to edit; load one with load_brandguide.")
    number = request.POST.get("base_version", "") if request.method == "POST" else ""
    base: BrandGuideVersion | None = current
    if number and number != str(current.number):
        base = brand.guide_versions.filter(number=int(number)).first() if _NUMBER.fullmatch(number) else None
    if base is None:
        raise Http404(f"{brand.name} has no guide version {number[:20]!r} to edit.")
    return brand, current, base


def _save(request: HttpRequest, form: Form, brand: Brand, base: BrandGuideVersion, changes: list[tuple[SectionPath, Any]], back: str) -> HttpResponse | None:
    """Store the changes as the next version; a refusal (stale edit, invalid guide) becomes the form's error."""
    latest = brand.guide_versions.order_by("-number").values_list("number", flat=True).first() or 0
    try:
        version, kept_layout = actions.guide_section_update(brand=brand, changes=changes, base_number=base.number, acting_user=acting_user(request))
    except CopydeskError as exc:
        form.add_error(None, exc.message)
        return None
    if version.number <= latest:  # the guide already said this (also when the same form is sent twice)
        messages.info(request, "Nothing changed, so no new version was made.")
    else:
        note = "" if kept_layout else " The YAML was written out again in full, so its comments were not kept."
        messages.success(request, f"Saved as version {version.number}. Approved and live content is being re-checked against it.{note}")
    return redirect(back)


def _page(request: HttpRequest, template: str, brand: Brand, current: BrandGuideVersion, base: BrandGuideVersion, section: str, **context: Any) -> HttpResponse:
    flag = context.pop("has_errors", None)  # given: the view knows (the tone page's "add a row" is never an error)
    has_errors = bool(flag) if flag is not None else any(f.errors for f in context.values() if isinstance(f, Form))
    context.update({"brand": brand, "current": current, "base": base, "section": section})
    return render(request, template, context, status=400 if has_errors else 200)


def _terms(data: dict[str, Any], scope: str) -> list[dict[str, Any]]:
    node: Any = data
    for key in terms_path(scope):
        node = node.get(key) if isinstance(node, dict) else None
    return list(node or [])


@role_required("is_copydesk_admin")
def guide_terms(request: HttpRequest, slug: str) -> HttpResponse:
    brand, current, base = _opened_version(request, slug)
    scopes = term_scopes(base.data)
    back = reverse("guide_terms", args=[brand.slug])
    scope = request.POST.get("scope", "") if request.method == "POST" else request.GET.get("locale", "")
    if scope not in dict(scopes):
        raise Http404("The guide has no such locale.")
    terms = _terms(base.data, scope)
    index_text = request.POST.get("index", "") if request.method == "POST" else request.GET.get("edit", "")
    index = int(index_text) if _NUMBER.fullmatch(index_text) else None
    # A term number written any other way (" 1", "1.0", "١") would pass the form's integer field and the edit would
    # be added as a new term beside the one it was meant to change.
    if (index_text and index is None) or (index is not None and index >= len(terms)):
        raise Http404("The guide has no such term; it may have been removed meanwhile.")
    if request.method == "POST" and "remove" in request.POST and index is not None:
        return _remove_term(request, brand, base, scope, terms, index, back)
    initial = {"base_version": base.number, "scope": scope, "index": index, **(TermForm.initial_for(terms[index]) if index is not None else {})}
    form = TermForm(request.POST if request.method == "POST" else None, initial=initial, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        entry = form.entry()
        if index is None:
            terms.append(entry)
        else:
            terms[index] = entry
        changes: list[tuple[SectionPath, Any]] = [(terms_path(scope), terms)]
        problems = guide_problems(base.data, changes)
        if problems:
            form.add_guide_errors(problems, ".".join(terms_path(scope)))
        elif (response := _save(request, form, brand, base, changes, back)) is not None:
            return response
    lists = [(value, label, list(enumerate(_terms(base.data, value)))) for value, label in scopes]
    return _page(request, "brand/guide_terms.html", brand, current, base, "terms", form=form, lists=lists, editing=index, editing_scope=scope)


def _remove_term(request: HttpRequest, brand: Brand, base: BrandGuideVersion, scope: str, terms: list[dict[str, Any]], index: int, back: str) -> HttpResponse:
    """The Remove button beside a term: the list without it as the next version, or the refusal as a message."""
    remover = VersionedForm(request.POST)
    if remover.is_valid():
        removed = terms.pop(index)
        if _save(request, remover, brand, base, [(terms_path(scope), terms or None)], back) is not None:
            messages.info(request, f"Removed “{removed.get('term')}”.")
    for error in remover.non_field_errors():
        messages.error(request, str(error))
    return redirect(back)


@role_required("is_copydesk_admin")
def guide_required(request: HttpRequest, slug: str) -> HttpResponse:
    brand, current, base = _opened_version(request, slug)
    form = RequiredForm(request.POST if request.method == "POST" else None, guide=base.data, initial={"base_version": base.number})
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        problems = guide_problems(base.data, changes)
        if problems:
            form.add_guide_errors(problems)
        elif (response := _save(request, form, brand, base, changes, reverse("guide_required", args=[brand.slug]))) is not None:
            return response
    return _page(request, "brand/guide_required.html", brand, current, base, "required", form=form)


@role_required("is_copydesk_admin")
def guide_limits(request: HttpRequest, slug: str) -> HttpResponse:
    brand, current, base = _opened_version(request, slug)
    form = LimitsForm(request.POST if request.method == "POST" else None, guide=base.data, initial={"base_version": base.number})
    if request.method == "POST" and form.is_valid():
        changes: list[tuple[SectionPath, Any]] = [(("channels",), form.value())]
        problems = guide_problems(base.data, changes)
        for path, message in problems:
            form.add_error(None, f"{path}: {message}")
        if not problems and (response := _save(request, form, brand, base, changes, reverse("guide_limits", args=[brand.slug]))) is not None:
            return response
    return _page(request, "brand/guide_limits.html", brand, current, base, "limits", form=form)


@role_required("is_copydesk_admin")
def guide_tone(request: HttpRequest, slug: str) -> HttpResponse:
    brand, current, base = _opened_version(request, slug)
    tone = base.data.get("tone") or {}
    contexts = tone.get("contexts") or {}
    in_use: dict[str, list[str]] = {}
    for segment in Segment.objects.filter(brand=brand).exclude(tone_context="").order_by("name"):
        in_use.setdefault(segment.tone_context, []).append(segment.name)
    data = request.POST.copy() if request.method == "POST" else None
    adding = data is not None and "add_context" in data
    if data is not None and adding:
        total = data.get("ctx-TOTAL_FORMS", "")
        data["ctx-TOTAL_FORMS"] = str(min(int(total) + 1, 100)) if _NUMBER.fullmatch(total) else total
    version_form = VersionedForm(data, initial={"base_version": base.number})
    default_form = ToneDefaultForm(data, prefix="default", initial=dims_initial(tone.get("default") or {}))
    formset = ToneContextFormSet(
        data, prefix="ctx", in_use=in_use,
        initial=[{"name": name, "original": name, **dims_initial(dims or {})} for name, dims in contexts.items()],
    )
    has_errors = False
    if data is not None and not adding:
        if version_form.is_valid() & default_form.is_valid() & formset.is_valid():
            changes: list[tuple[SectionPath, Any]] = [(("tone", "default"), default_form.dims() or None), (("tone", "contexts"), formset.contexts() or None)]
            for path, message in guide_problems(base.data, changes):
                version_form.add_error(None, f"{path}: {message}")
            if not version_form.errors and (response := _save(request, version_form, brand, base, changes, reverse("guide_tone", args=[brand.slug]))) is not None:
                return response
        has_errors = True
    return _page(
        request, "brand/guide_tone.html", brand, current, base, "tone", version_form=version_form, default_form=default_form,
        formset=formset, headings=TONE_LABELS, in_use=in_use, has_errors=has_errors,
    )
