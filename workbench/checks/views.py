from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.action_errors import errors_as_messages
from workbench.brand.models import Brand
from workbench.checks import actions, reports
from workbench.checks.models import Recertification
from workbench.generation import edit_rule
from workbench.generation.limits import REASON_MAX_CHARS, require_text_size
from workbench.generation.models import DraftVersion


def _version(version_id: int) -> DraftVersion:
    return get_object_or_404(DraftVersion.objects.select_related("draft"), pk=version_id)


@require_POST
def finding_apply_suggestion(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version(version_id)
    with errors_as_messages(request):
        new = actions.suggestion_apply(version, key=request.POST.get("finding", ""), acting_user=acting_user(request))
        if new.pk == version.pk:
            messages.info(request, "The suggestion is already in the text, so no new version was made.")
        else:
            new.draft.refresh_from_db(fields=["state"])
            messages.success(request, "Suggestion applied as " + edit_rule.saved_message(new.draft, new).removeprefix("Saved as "))
    return redirect("draft_detail", draft_id=version.draft_id)


@require_POST
@role_required("can_review")
def finding_false_positive(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version(version_id)
    reason = request.POST.get("reason", "")
    with errors_as_messages(request):
        require_text_size(reason, REASON_MAX_CHARS, "reason")
        actions.false_positive_mark(version, key=request.POST.get("finding", ""), reason=reason, acting_user=acting_user(request))
        messages.success(request, "Marked as a false positive. Admins see it in the rule precision report; a blocking finding still needs an override to approve.")
    return redirect("draft_detail", draft_id=version.draft_id)


@role_required("is_copydesk_admin")
def precision(request: HttpRequest) -> HttpResponse:
    brands = list(Brand.objects.order_by("name"))
    brand = next((b for b in brands if b.slug == request.GET.get("brand")), brands[0] if brands else None)
    versions = list(brand.guide_versions.order_by("-number").only("pk", "number", "brand_id")) if brand else []
    number = request.GET.get("version", "")
    guide_version = next((v for v in versions if str(v.number) == number), None)
    rows = reports.rule_precision(brand, guide_version) if brand else []
    context = {"brands": brands, "brand": brand, "versions": versions, "guide_version": guide_version, "rows": rows}
    return render(request, "checks/precision.html", context)


def recertification(request: HttpRequest) -> HttpResponse:
    guides = reports.current_guides()
    done = set(Recertification.objects.filter(guide_version__in=guides, finished_at__isnull=False).values_list("guide_version_id", flat=True))
    context = {
        "flags": reports.recertification_flags(guides),
        "pending": [g for g in guides if g.number > 1 and g.pk not in done],
        "runs": Recertification.objects.select_related("guide_version__brand")[:20],
    }
    return render(request, "checks/recertification.html", context)


@require_POST
@role_required("is_copydesk_admin")
def recertify_now(request: HttpRequest, slug: str) -> HttpResponse:
    """Run the re-certification in the request, for when no worker has picked it up."""
    guide_version = get_object_or_404(Brand, slug=slug).current_guide()
    result = actions.recertify(guide_version)
    if result is not None:
        messages.success(request, f"Re-checked {result.checked} item(s) in review, approved or live against {guide_version}: {result.blocked} would be blocked.")
    return redirect("recertification")
