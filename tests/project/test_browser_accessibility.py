"""Every screen, as every role sees it, checked with axe-core at 1280 and 768 pixels wide.

axe-core comes from npm at setup (var/npm); it is injected into each page, never part of
the repository. A screen fails on any violation axe rates serious or critical, and the
failure lists each one with the elements it found.

The screens come from the URL configuration: every named URL is either visited here
(SCREENS) or listed in NOT_PAGES with the reason, so a new screen cannot be forgotten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import PASSWORD
from tests.browser import CHROMIUM, WIDTHS, axe_script, log_in

AXE = axe_script()
BAD_IMPACTS = ("serious", "critical")


# Named URLs that are not screens: form targets (POST only), files, and htmx fragments.
NOT_PAGES: dict[str, str] = {
    "logout": "POST only",
    "brief_generate": "POST only",
    "run_cancel": "POST only",
    "run_retry": "POST only",
    "draft_variation": "POST only",
    "draft_edit": "POST only",
    "draft_live_check": "POST only: an htmx fragment",
    "draft_submit": "POST only",
    "draft_presence": "an htmx fragment polled by the draft page",
    "review_bulk": "POST only",
    "draft_claim": "POST only",
    "draft_release": "POST only",
    "review_approve": "POST only",
    "review_reject": "POST only",
    "comment_add": "POST only",
    "finding_override": "POST only",
    "finding_apply_suggestion": "POST only",
    "finding_false_positive": "POST only",
    "notifications_read": "POST only",
    "user_role": "POST only",
    "user_review_profile": "POST only",
    "user_active": "POST only",
    "guide_load_file": "POST only",
    "prompt_load_file": "POST only",
    "brand_model_settings": "POST only",
    "brand_review_webhook": "POST only",
    "guide_export": "a YAML file",
    "audit_export": "a CSV or JSONL file",
    "journey_performance_csv": "a CSV file",
    "brief_estimate": "an htmx fragment of the brief form (POST)",
    "draft_discard": "POST only",
    "draft_restore": "POST only",
    "recertify_now": "POST only",
    "step_create": "POST only",
    "step_publish": "POST only",
    "step_rollback": "POST only",
    "step_weights": "POST only",
    "publish": "POST only",
    "publication_end": "POST only",
    "journey_pause": "POST only",
    "api_client_revoke": "POST only",
}
# Namespaces that are not Copydesk's own screens.
OTHER_NAMESPACES = {"admin", "api-1.0.0", "api"}


def seeded_screens() -> dict[str, str]:
    """Seed the demo data and name a URL for each screen, with the objects it needs."""
    from django.urls import reverse

    from workbench.accounts.models import User
    from workbench.audit.models import AuditEvent
    from workbench.brand.models import Brand, PromptTemplate
    from workbench.demo.seed import seed
    from workbench.generation.models import Brief, BriefRevision, Draft, DraftState
    from workbench.journeys.models import JourneyStep

    seed()
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    brief = Brief.objects.order_by("pk").first()
    revised = BriefRevision.objects.order_by("pk").first()
    assert revised is not None, "the demo data has no brief revision"
    step = JourneyStep.objects.select_related("journey").filter(publications__isnull=False).order_by("pk").first()
    assert brief is not None and step is not None
    brand = Brand.objects.get(slug="northwind")
    segment = brand.segments.order_by("pk").first()
    prompt = PromptTemplate.objects.order_by("pk").first()
    event = AuditEvent.objects.exclude(object_type="").order_by("-pk").first()
    assert segment is not None and prompt is not None and event is not None
    screens = {
        "home": reverse("home"),
        "brief_list": reverse("brief_list"),
        "brief_create": reverse("brief_create"),
        "brief_detail": reverse("brief_detail", args=[brief.pk]),
        "brief_edit": reverse("brief_edit", args=[brief.pk]),
        "brief_generate_confirm": reverse("brief_generate_confirm", args=[brief.pk]),
        "brief_revision": reverse("brief_revision", args=[revised.brief_id, revised.number]),
        "review_queue": reverse("review_queue"),
        "notification_list": reverse("notification_list"),
        "notification_preferences": reverse("notification_preferences"),
        "email_outbox": reverse("email_outbox"),
        "brand_waivers": reverse("brand_waivers", args=[brand.slug]),
        "guide_list": reverse("guide_list"),
        "guide_detail": reverse("guide_detail", args=[brand.slug]),
        "guide_edit": reverse("guide_edit", args=[brand.slug]),
        "guide_terms": reverse("guide_terms", args=[brand.slug]),
        "guide_required": reverse("guide_required", args=[brand.slug]),
        "guide_limits": reverse("guide_limits", args=[brand.slug]),
        "guide_tone": reverse("guide_tone", args=[brand.slug]),
        "segment_create": reverse("segment_create", args=[brand.slug]),
        "segment_edit": reverse("segment_edit", args=[brand.slug, segment.slug]),
        "prompt_list": reverse("prompt_list"),
        "prompt_detail": reverse("prompt_detail", args=[prompt.slug]),
        "prompt_edit": reverse("prompt_edit", args=[prompt.slug]),
        "prompt_preview": reverse("prompt_preview", args=[prompt.slug]),
        "journey_list": reverse("journey_list"),
        "journey_create": reverse("journey_create"),
        "journey_edit": reverse("journey_edit", args=[step.journey.slug]),
        "journey_performance": reverse("journey_performance"),
        "step_detail": reverse("step_detail", args=[step.journey.slug, step.slug]),
        "step_edit": reverse("step_edit", args=[step.journey.slug, step.slug]),
        "api_client_list": reverse("api_client_list"),
        "audit_log": reverse("audit_log"),
        "audit_object": reverse("audit_object", args=[event.object_type, event.object_id]),
        "user_list": reverse("user_list"),
        "check_precision": reverse("check_precision"),
        "recertification": reverse("recertification"),
        "not_found": "/no-such-screen/",
    }
    for state in DraftState:
        draft = Draft.objects.filter(state=state).order_by("pk").first()
        assert draft is not None, f"the demo data has no draft in state {state}"
        screens[f"draft_detail:{state.value}"] = reverse("draft_detail", args=[draft.pk])
    return screens


def covered_names() -> set[str]:
    return {"home", "login", "brief_list", "brief_create", "brief_detail", "brief_edit", "brief_generate_confirm", "brief_revision", "review_queue", "notification_list",
            "notification_preferences", "email_outbox", "brand_waivers", "guide_list", "guide_detail", "guide_edit",
            "guide_terms", "guide_required", "guide_limits", "guide_tone",
            "segment_create", "segment_edit", "prompt_list", "prompt_detail", "prompt_edit", "prompt_preview",
            "journey_list", "journey_create", "journey_edit", "journey_performance", "step_detail", "step_edit",
            "api_client_list", "audit_log", "audit_object", "user_list", "check_precision", "recertification", "draft_detail"}


def named_urls(patterns: list[URLPattern | URLResolver], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in OTHER_NAMESPACES:
                continue
            names |= named_urls(pattern.url_patterns, pattern.namespace or namespace)
        elif pattern.name and not namespace:
            names.add(pattern.name)
    return names


def test_it_checks_every_screen_or_says_why_not() -> None:
    names = named_urls(get_resolver().url_patterns)
    forgotten = sorted(names - covered_names() - set(NOT_PAGES))
    assert not forgotten, (
        f"These named URLs are neither checked for accessibility nor listed as not a page: {forgotten}. "
        "Add each to seeded_screens()/covered_names() in tests/test_browser_accessibility.py, or to NOT_PAGES with the reason."
    )
    stale = sorted((covered_names() | set(NOT_PAGES)) - names)
    assert not stale, f"These names are listed but no longer exist: {stale}"


def describe(url: str, width: int, violations: list[dict[str, Any]]) -> str:
    lines = [f"{url} at {width}px:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"      {' '.join(node['target'])}  {node['html'][:140]}")
            if node.get("failureSummary"):
                lines.append("        " + node["failureSummary"].replace("\n", "\n        ")[:400])
        if len(v["nodes"]) > 5:
            lines.append(f"      … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [v for v in result if v["impact"] in BAD_IMPACTS]


def check_widths(page: Any, label: str, failures: list[str], counts: dict[str, int]) -> None:
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        bad = axe_violations(page)
        if bad:
            failures.append(describe(label, width, bad))
            for v in bad:
                counts[v["id"]] = counts.get(v["id"], 0) + len(v["nodes"])


def check_screen(page: Any, url: str, failures: list[str], counts: dict[str, int], seen_errors: set[int] | None = None) -> None:
    response = page.goto(url)
    page.wait_for_load_state("load")
    assert response is not None and response.status < 500, f"{url} answered {response and response.status}"
    if response.status >= 400 and seen_errors is not None:
        # A role's 403 (or 404) page is the same wherever it appears: check it once per role.
        if response.status in seen_errors:
            return
        seen_errors.add(response.status)
    check_widths(page, url, failures, counts)
    # States a screen reaches by interaction, which the first look does not see.
    if url.startswith("/review/") and page.locator("#keys-help").count():
        page.keyboard.press("?")
        page.locator("#keys-help[open]").wait_for()
        check_widths(page, f"{url} with the keyboard shortcuts open", failures, counts)
        page.keyboard.press("Escape")
    if url.endswith("/briefs/new/") and page.get_by_role("button", name="Save brief").count():
        page.get_by_role("button", name="Save brief").click()
        page.wait_for_load_state("load")
        check_widths(page, f"{url} after saving it empty", failures, counts)


def report(failures: list[str], counts: dict[str, int]) -> str:
    summary = ", ".join(f"{rule}: {n}" for rule, n in sorted(counts.items()))
    return f"serious or critical accessibility violations ({summary}):\n\n" + "\n\n".join(failures)


needs_axe = pytest.mark.skipif(not AXE.exists(), reason=f"needs axe-core from npm at {AXE} (installed by ./copydesk setup)")


@pytest.fixture
def pages(chromium: Any, live_server: Any) -> Any:  # noqa: F811
    contexts: list[Any] = []

    def opener(username: str | None) -> Any:
        # bypass_csp: the strict Content-Security-Policy would refuse the injected axe script.
        context = chromium.new_context(viewport={"width": WIDTHS["desktop"], "height": 900}, base_url=live_server.url, bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if username is not None:
            log_in(page, username, PASSWORD)
        return page

    opener.contexts = contexts  # type: ignore[attr-defined]
    yield opener
    for context in contexts:
        context.close()


def run_persona(pages: Callable[[str | None], Any], username: str, screens: dict[str, str]) -> None:
    page = pages(username)
    failures: list[str] = []
    counts: dict[str, int] = {}
    seen_errors: set[int] = set()
    for url in dict.fromkeys(screens.values()):
        check_screen(page, url, failures, counts, seen_errors)
    assert not failures, report(failures, counts)


@pytest.mark.parametrize("username", ["marketer", "reviewer", "publisher", "admin"])
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
@needs_axe
def test_it_has_no_serious_violations_on_any_screen(pages, transactional_db, username):  # type: ignore[no-untyped-def]
    screens = seeded_screens()
    # What the coverage test counts as checked is what is visited here (the login page: logged out, below).
    assert {name.split(":")[0] for name in screens} - {"not_found"} | {"login"} == covered_names()
    run_persona(pages, username, screens)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
@needs_axe
def test_it_has_no_serious_violations_logged_out(pages, transactional_db):  # type: ignore[no-untyped-def]
    page = pages(None)
    failures: list[str] = []
    counts: dict[str, int] = {}
    check_screen(page, "/login/", failures, counts)
    assert not failures, report(failures, counts)
