from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.action_errors import errors_as_messages
from workbench.brand.models import Brand
from workbench.errors import CopydeskError
from workbench.generation.limits import REASON_MAX_CHARS, require_text_size
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.generation.query import id_param
from workbench.review import actions, deadlines, notify, presenters
from workbench.review.bulk import bulk_decide, parse_selection
from workbench.review.draft_views import render_draft_page
from workbench.review.models import Decision, EmailKind, Notification, WaiverScope
from workbench.review.policy import approval_status
from workbench.review.presenters import prefetched_drafts, with_latest
from workbench.review.queue import ANY_STATE, DUE_FILTERS, QueueFilters, facet_counts, overdue_count, queue_drafts

QUEUE_PAGE_SIZE = 25


def review_queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilters.from_query(request.GET)
    page = Paginator(queue_drafts(filters).values_list("pk", flat=True), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    # Page through ids only, then fetch the page's drafts with everything a row shows.
    drafts = prefetched_drafts().select_related("review_deadline__claimed_by")
    by_pk = {d.pk: d for d in drafts.filter(pk__in=list(page.object_list))}
    cards = with_latest(by_pk[pk] for pk in page.object_list if pk in by_pk)
    user, now = acting_user(request), timezone.now()
    rows = [(card, card.approve_blocked_reason(user)) for card in cards]
    return render(request, "review/queue.html", {
        "page": page, "rows": rows, "facets": facet_counts(filters), "filters": filters, "any_state": ANY_STATE,
        "filtered": any(k != "state" for k in filters.values) or filters.state_param != DraftState.IN_REVIEW or bool(filters.due),
        "due_filters": DUE_FILTERS, "overdue": overdue_count(filters), "now": now, "soon": now + deadlines.DUE_SOON,
        "claim_cutoff": now - deadlines.CLAIM_IDLE,
    })


def _queue_or_draft(request: HttpRequest, draft: Draft) -> HttpResponse:
    return _back_to_queue(request) or redirect("draft_detail", draft_id=draft.pk)


@require_POST
@role_required("can_review")
def draft_claim(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft, pk=draft_id)
    try:
        deadline = actions.draft_claim(draft, acting_user=acting_user(request))
    except CopydeskError as exc:
        messages.error(request, f"Draft {draft.pk}: {exc.message}")
    else:
        lapses = deadlines.claim_lapses_at(deadline)
        messages.success(request, f"Draft {draft.pk} is yours: other reviewers cannot decide on it until you decide, release it, or stop working on it for {deadlines.CLAIM_IDLE.seconds // 60} minutes (now {timezone.localtime(lapses):%H:%M}).")
    return _queue_or_draft(request, draft)


@require_POST
@role_required("can_review")
def draft_release(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft, pk=draft_id)
    if actions.draft_release(draft, acting_user=acting_user(request)):
        messages.info(request, f"Draft {draft.pk} released; any reviewer can take it.")
    return _queue_or_draft(request, draft)


@require_POST
@role_required("can_review")
def review_bulk(request: HttpRequest) -> HttpResponse:
    """Approve or reject several drafts: each one is its own decision through the same action."""
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "")
    selection = parse_selection(request.POST.getlist("draft"))
    try:
        require_text_size(reason, REASON_MAX_CHARS, "reason")
        outcome = bulk_decide(selection, decision=decision, reason=reason, acting_user=acting_user(request))
    except CopydeskError as exc:
        messages.error(request, exc.message)
        return _back_to_queue(request) or redirect("review_queue")
    if outcome.done:
        verb = "approved" if decision == Decision.APPROVE else "rejected"
        messages.success(request, f"{len(outcome.done)} draft{'s' if len(outcome.done) != 1 else ''} {verb}: {', '.join(str(pk) for pk in outcome.done)}.")
    for pk, why in outcome.refused:
        messages.error(request, f"Draft {pk} was not decided: {why}")
    return _back_to_queue(request) or redirect("review_queue")


def _decision_target(request: HttpRequest, draft_id: int) -> tuple[Draft, int]:
    draft = get_object_or_404(Draft.objects.select_related("brief__brand", "segment", "created_by"), pk=draft_id)
    return draft, id_param(request.POST.get("version")) or -1


def _back_to_queue(request: HttpRequest) -> HttpResponse | None:
    """Decisions taken from the queue return there (with its filters); the rest go to the draft page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/review/"):
        return redirect(target)
    return None


@require_POST
@role_required("can_review")
def review_approve(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft, version_number = _decision_target(request, draft_id)
    try:
        decision = actions.review_approve(draft, version_number=version_number, acting_user=acting_user(request))
    except CopydeskError as exc:
        if queue := _back_to_queue(request):
            messages.error(request, f"Draft {draft.pk}: {exc.message}")
            return queue
        return render_draft_page(request, draft, exc.http_status, decision_error=exc.message)
    draft.refresh_from_db(fields=["state"])
    if draft.state == DraftState.APPROVED:
        messages.success(request, f"Draft {draft.pk}: you approved version {decision.version.number}. It is approved and ready to publish; its author was notified.")
    else:
        still = ", ".join(approval_status(decision.version).missing)
        messages.success(request, f"Draft {draft.pk}: your approval of version {decision.version.number} is recorded. It now waits for a second reviewer ({still}); reviewers were notified.")
    return _back_to_queue(request) or redirect("draft_detail", draft_id=draft.pk)


@require_POST
@role_required("can_review")
def review_reject(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft, version_number = _decision_target(request, draft_id)
    decision = request.POST.get("decision", Decision.REJECT)
    send_back = actions.review_request_changes if decision == Decision.REQUEST_CHANGES else actions.review_reject
    reason = request.POST.get("reason", "")
    try:
        require_text_size(reason, REASON_MAX_CHARS, "reason")
        send_back(draft, version_number=version_number, reason=reason, acting_user=acting_user(request))
    except CopydeskError as exc:
        return render_draft_page(request, draft, exc.http_status, decision_error=exc.message, typed_reason=reason)
    if decision == Decision.REQUEST_CHANGES:
        messages.success(request, f"Changes requested on version {version_number}. The draft went back to its author as a draft, with your comment; it returns to the queue when they resubmit.")
    else:
        messages.success(request, f"Rejected version {version_number}. The author was notified with your reason; they can edit it and submit it again.")
    return redirect("draft_detail", draft_id=draft.pk)


@require_POST
@role_required("can_review")
def finding_override(request: HttpRequest, version_id: int) -> HttpResponse:
    """Waive a blocking finding: a new waiver with a justification and scope, or (with `waiver`) an earlier one applied."""
    version = get_object_or_404(DraftVersion.objects.select_related("draft__brief__brand"), pk=version_id)
    justification = request.POST.get("justification", "")
    key, user = request.POST.get("finding", ""), acting_user(request)
    with errors_as_messages(request):
        if (waiver_id := id_param(request.POST.get("waiver"))) is not None:
            actions.waiver_apply(version, key=key, waiver_id=waiver_id, acting_user=user)
        else:
            require_text_size(justification, REASON_MAX_CHARS, "justification")
            actions.finding_override(
                version, key=key, justification=justification, acting_user=user,
                scope=WaiverScope(request.POST["scope"]) if request.POST.get("scope") in WaiverScope.values else WaiverScope.VERSION,
                expires_at=_end_of_day(request.POST.get("expires_on", "")),
            )
        messages.success(request, "Waiver recorded with its justification; it is audited and shown with the approval.")
    return redirect("draft_detail", draft_id=version.draft_id)


LATEST_WAIVER_DAY = date(9998, 12, 31)


def _end_of_day(value: str) -> datetime | None:
    """A waiver "until 31 March" holds through that day, in the server's time zone."""
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise CopydeskError("Give the waiver's end date as a date (YYYY-MM-DD).") from None
    if day > LATEST_WAIVER_DAY:
        # The end of 31 Dec 9999 in a time zone behind UTC is a moment in the year 10000: no datetime holds it.
        raise CopydeskError(f"Give the waiver an end date up to {LATEST_WAIVER_DAY:%d %b %Y}.")
    return timezone.make_aware(datetime.combine(day, time.max))


@require_POST
def comment_add(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft, _ = _decision_target(request, draft_id)
    body = request.POST.get("body", "")
    try:
        actions.comment_add(draft, body=body, acting_user=acting_user(request))
    except CopydeskError as exc:
        return render_draft_page(request, draft, exc.http_status, comment_error=exc.message, typed_comment=body)
    messages.success(request, "Comment posted; the people working on this draft were notified.")
    return redirect("draft_detail", draft_id=draft.pk)


def draft_presence(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Polled by the open draft page: renews this user's presence and lists who else is there."""
    draft = get_object_or_404(Draft, pk=draft_id)
    present = actions.presence_touch(draft, acting_user=acting_user(request))
    return render(request, "generation/draft_detail.html#presence", {"draft": draft, "present": present})


def notification_list(request: HttpRequest) -> HttpResponse:
    notes = Notification.objects.filter(recipient=acting_user(request)).select_related("draft")
    page = Paginator(notes, 30).get_page(request.GET.get("page"))
    return render(request, "review/notifications.html", {"page": page})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = actions.notifications_mark_read(acting_user=acting_user(request))
    messages.info(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notification_list")


def brand_waivers(request: HttpRequest, slug: str) -> HttpResponse:
    """A brand's waivers on the record: who let what ship, why, for how long, and how that copy did once live."""
    brand = get_object_or_404(Brand, slug=slug)
    return render(request, "review/waivers.html", {"brand": brand, "waivers": presenters.brand_waivers(brand), "now": timezone.now()})


def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Each person chooses which emails they receive; in-app notifications always appear."""
    user = acting_user(request)
    if request.method == "POST":
        chosen = actions.preferences_save(kinds=request.POST.getlist("email"), acting_user=user)
        messages.success(request, f"Saved: you receive {len(chosen)} kind{'s' if len(chosen) != 1 else ''} of email." + ("" if user.email else " You have no email address yet, so none will arrive."))
        return redirect("notification_preferences")
    wanted = notify.wanted_email_kinds(user)
    return render(request, "review/notification_preferences.html", {"kinds": [(k.value, k.label, k.value in wanted) for k in EmailKind]})


def email_outbox(request: HttpRequest) -> HttpResponse:
    """Admins read the mail the embedded default writes to files under the data directory."""
    if not acting_user(request).is_copydesk_admin:
        raise PermissionDenied("Only admins can read the outbox.")
    return render(request, "review/outbox.html", {"mails": notify.outbox_messages(), "smtp": bool(settings.SMTP_HOST)})
