"""In Chromium: the outcomes chart draws on What works, and a draft's channel preview shows the substituted name."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from tests.browser import BROWSER, look, screenshots_on_failure, serious_axe_violations
from tests.journeys_setup import Live
from tests.pipeline import submitted_draft
from workbench.generation import actions as generation
from workbench.journeys.models import OutcomeReport


pytestmark = BROWSER


@screenshots_on_failure
def test_it_draws_outcomes_per_variant_as_a_chart_with_the_table_beside_it(open_page, transactional_db, live: Live, marketer, settings):  # type: ignore[no-untyped-def]
    if not settings.CHARTJS_DIST_DIR.is_dir():
        pytest.skip("chart.js is not installed (npm at setup)")
    now = timezone.now()
    for days, publication, delivered, opened in ((3, live.a, 120, 40), (2, live.a, 100, 20), (2, live.b, 90, 45), (0, live.b, 50, 5)):
        OutcomeReport.objects.create(publication=publication, event="delivered", count=delivered, reported_at=now - timedelta(days=days))
        OutcomeReport.objects.create(publication=publication, event="opened", count=opened, reported_at=now - timedelta(days=days))
    page: Any = open_page(marketer)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/journeys/performance/")
    canvas = page.locator("canvas#outcome-canvas")
    canvas.wait_for(state="visible")
    assert page.evaluate("() => Boolean(window.Chart && window.Chart.getChart('outcome-canvas'))")
    assert page.evaluate("() => window.Chart.getChart('outcome-canvas').data.datasets.length") == 2
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    page.get_by_label("Measure", exact=True).select_option("open_rate")
    assert page.evaluate("() => window.Chart.getChart('outcome-canvas').data.datasets[1].data.filter(v => v !== null)") == [50.0, 10.0]
    # The numbers stay one click away, as an accessible table.
    page.get_by_text("The numbers as a table").click()
    assert page.get_by_role("row").filter(has_text="arm B").count() == 2
    look(page, "outcomes-chart")
    assert serious_axe_violations(page) == []
    # A bad range is a form error where the user is.
    page.get_by_label("From").fill("2026-05-10")
    page.get_by_label("To").fill("2026-05-01")
    page.get_by_role("button", name="Show", exact=True).click()
    assert "is after the end" in page.get_by_role("alert").first.inner_text()
    assert not errors


@screenshots_on_failure
def test_the_draft_page_previews_the_sms_on_a_phone_with_the_sample_name(open_page, transactional_db, brand, prompt, segments, marketer):  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segments["new"], marketer, channel="sms")
    generation.draft_edit(draft, fields={"body": "Hi {{ first_name }}, your boots shipped. Reply STOP to opt out"}, base_version=1, acting_user=marketer)
    page: Any = open_page(marketer)
    page.goto(f"/drafts/{draft.pk}/")
    phone = page.get_by_role("group", name="SMS on a phone")
    assert phone.inner_text().strip().endswith("Hi Alex, your boots shipped. Reply STOP to opt out")
    assert page.get_by_role("row", name="first_name Alex sample").is_visible()
    look(page, "sms-preview")
    assert serious_axe_violations(page) == []


@screenshots_on_failure
def test_the_email_preview_renders_the_body_in_a_sandboxed_frame(open_page, transactional_db, brand, prompt, segments, marketer):  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segments["new"], marketer, channel="email")
    fields = {"subject": "Hi {{ first_name }}", "preheader": "Your order", "body": "<p>Hello <strong>{{ first_name }}</strong>.</p><p>{{ unsubscribe_url }}</p>"}
    generation.draft_edit(draft, fields=fields, base_version=1, acting_user=marketer)
    page: Any = open_page(marketer)
    page.goto(f"/drafts/{draft.pk}/")
    frame_element = page.locator("iframe.email-frame")
    assert frame_element.get_attribute("sandbox") == ""
    frame = frame_element.content_frame
    assert frame.locator("strong").inner_text() == "Alex"
    assert "https://northwind.example/unsubscribe" in frame.locator("body").inner_text()
    look(page, "email-preview")
    assert serious_axe_violations(page) == []
