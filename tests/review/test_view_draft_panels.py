"""The draft page's panels: one editor with its findings and fixes, hand-edit provenance, the deadline and the claim."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.pipeline import generate_now, make_brief, submitted_draft
from workbench.checks import actions as check_actions
from workbench.checks.models import finding_key
from workbench.checks.services import latest_check
from workbench.generation import actions as generation
from workbench.review import actions as review_actions
from workbench.review.actions import submit_for_review
from workbench.review.models import ReviewDeadline
from workbench.review.presenters import fix_for

pytestmark = pytest.mark.django_db


def page_of(client, draft, **query) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("draft_detail", args=[draft.pk]), query).content.decode()


def test_the_text_appears_once_in_the_editor_with_its_findings_marked(logged_in, brand, prompt, segments, marketer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    generation.draft_edit(draft, fields=dict(draft.latest_version().fields, subject="Cheap boots for the trail"), base_version=1, acting_user=marketer)
    page = page_of(logged_in(marketer), draft)
    assert page.count('name="subject"') == 1 and 'class="field-view"' not in page, "one editor; no read-only copy beside it"
    assert '<div class="editor-backdrop" id="backdrop-subject" aria-hidden="true"><mark class="sev-block">Cheap</mark> boots for the trail' in page
    assert "As you type" not in page


def test_a_publisher_reads_the_text_without_an_editor(logged_in, brand, prompt, segments, marketer, publisher):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    page = page_of(logged_in(publisher), draft)
    assert 'class="field-view"' in page and "editor-backdrop" not in page and 'id="edit-rule"' not in page


def test_a_fix_carries_exactly_what_the_server_would_write(brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    version = generation.draft_edit(draft, fields=dict(draft.latest_version().fields, subject="Get it cheap. Cheap boots"), base_version=1, acting_user=marketer)
    for finding in [f for f in latest_check(version).findings if f.get("suggestion")]:  # type: ignore[union-attr]
        text = version.fields[finding["field"]]
        fix = fix_for(text, finding)
        assert fix is not None
        in_place = text[: fix["start"]] + fix["replacement"] + text[fix["end"]:]
        assert in_place == check_actions.with_suggestion(text, finding)
        assert text[: fix["start"]].endswith(fix["before"]) and text[fix["end"]:].startswith(fix["after"])
    assert fix_for("short", {"suggestion": "x", "start": 10, "end": 12, "field": "body"}) is None, "a span past the text has no fix"


def test_the_live_check_offers_fixes_for_the_typed_text(logged_in, brand, prompt, segments, marketer):
    (draft,) = generate_now(make_brief(brand, prompt, [segments["new"]], marketer, channels=["sms"], variants=1), marketer)
    body = logged_in(marketer).post(reverse("draft_live_check", args=[draft.pk]), {"body": "So cheap! Reply STOP to opt out"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-fix-field="body" data-fix-start="3" data-fix-end="8" data-fix-match="cheap" data-fix-replacement="affordable"' in body
    assert '<template class="live-marks" data-field="body">So <mark class="sev-block">cheap</mark>!' in body


def test_the_saved_findings_fix_still_posts_without_javascript(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    version = generation.draft_edit(draft, fields=dict(draft.latest_version().fields, subject="Cheap boots"), base_version=1, acting_user=marketer)
    page = page_of(logged_in(marketer), draft)
    assert f'action="{reverse("finding_apply_suggestion", args=[version.pk])}"' in page
    assert re.search(r'<button type="submit" class="small fix"[^>]*data-fix-field="subject"', page)
    finding = next(f for f in latest_check(version).findings if f.get("suggestion"))  # type: ignore[union-attr]
    logged_in(marketer).post(reverse("finding_apply_suggestion", args=[version.pk]), {"finding": finding_key(finding)})
    assert draft.latest_version().fields["subject"] == "Affordable boots"


def test_a_hand_edit_says_who_edited_it_and_not_which_model_wrote_it(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    generation.draft_edit(draft, fields=dict(draft.latest_version().fields, subject="By hand"), base_version=1, acting_user=reviewer)
    page = page_of(logged_in(marketer), draft)
    provenance = page[page.index('id="prov-h"'):page.index('id="hist-h"')]
    assert "Edited by hand by Riley" in provenance and "None: a person wrote this version" in provenance
    assert "<dt>Model</dt>" not in provenance and "<dt>Provider</dt>" not in provenance and "<dt>Tokens</dt>" not in provenance
    assert "text a model last wrote in v1 (generated by offline" in provenance
    generated = page_of(logged_in(marketer), submitted_draft(brand, prompt, segments["loyal"], marketer))
    assert "<dt>Model</dt>" in generated and "Edited by hand" not in generated


def test_the_decision_panel_shows_the_deadline_and_the_claim(logged_in, brand, prompt, segments, marketer, reviewer, reviewer2):
    (draft,) = generate_now(make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1), marketer)
    submit_for_review(draft, acting_user=marketer)
    page = page_of(logged_in(reviewer), draft)
    assert 'id="deadline"' in page and "Due " in page and "Nobody has claimed it" in page
    assert f'action="{reverse("draft_claim", args=[draft.pk])}"' in page
    assert page.index('id="decision"') < page.index('id="edit"'), "the decision panel comes first"

    logged_in(reviewer).post(reverse("draft_claim", args=[draft.pk]))
    page = page_of(logged_in(reviewer), draft)
    assert "Claimed by <strong>you</strong>" in page and f'action="{reverse("draft_release", args=[draft.pk])}"' in page

    ReviewDeadline.objects.filter(draft=draft).update(due_at=timezone.now() - timedelta(hours=3))
    page = page_of(logged_in(reviewer2), draft)
    assert "Claimed by <strong>Riley</strong>" in page and "overdue by 3" in page
    assert 'id="approve-button" disabled' in page and "Riley has claimed this draft" in page, "the page refuses what the server refuses"
    assert f'action="{reverse("draft_claim", args=[draft.pk])}"' not in page

    review_actions.draft_release(draft, acting_user=reviewer)
    assert 'id="approve-button" disabled' not in page_of(logged_in(reviewer2), draft)
