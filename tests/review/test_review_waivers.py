"""Waivers on the record: scope, expiry, applying an earlier waiver, the waivers page; reviewers' roles and languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.pipeline import submitted_draft
from workbench.accounts.actions import user_set_review_profile
from workbench.audit.models import AuditEvent
from workbench.checks.models import finding_key
from workbench.checks.services import latest_check
from workbench.errors import CopydeskError
from workbench.generation import actions as generation
from workbench.journeys.actions import journey_create, journey_step_create, publication_create
from workbench.journeys.models import OutcomeCount
from workbench.review import actions as review
from workbench.review.models import FindingOverride, WaiverScope

pytestmark = pytest.mark.django_db


def cheap_draft(brand, prompt, segment, marketer):  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segment, marketer)
    generation.draft_edit(draft, fields=dict(draft.latest_version().fields, subject="Cheap boots"), base_version=1, acting_user=marketer)
    generation.draft_submit(draft, acting_user=marketer)
    version = draft.latest_version()
    return version, finding_key(latest_check(version).blocking[0])  # type: ignore[union-attr]


def test_a_waiver_for_the_brand_needs_an_end_date_and_is_applied_on_a_later_brief(brand, prompt, segments, marketer, reviewer, reviewer2):  # type: ignore[no-untyped-def]
    version, key = cheap_draft(brand, prompt, segments["new"], marketer)
    with pytest.raises(CopydeskError, match="end date"):
        review.finding_override(version, key=key, justification="Cheap is the product line's name.", scope=WaiverScope.BRAND_RULE, acting_user=reviewer)
    until = timezone.now() + timedelta(days=30)
    waiver = review.finding_override(
        version, key=key, justification="Cheap is the product line's name.", scope=WaiverScope.BRAND_RULE, expires_at=until, acting_user=reviewer
    )
    later, later_key = cheap_draft(brand, prompt, segments["loyal"], marketer)  # another brief, same rule
    ((earlier, applicable),) = review.earlier_waivers(later, [f for f in latest_check(later).findings if f["severity"] == "block"])[later_key]  # type: ignore[union-attr]
    assert earlier == waiver and applicable
    applied = review.waiver_apply(later, key=later_key, waiver_id=waiver.pk, acting_user=reviewer2)
    assert applied.applied_from == waiver and applied.justification == waiver.justification
    assert not review.unresolved_blocks(later)
    assert AuditEvent.objects.filter(action="review.override", changes__applied_from=waiver.pk).exists()


def test_a_waiver_out_of_scope_or_expired_is_shown_but_cannot_be_applied(brand, prompt, segments, marketer, reviewer):  # type: ignore[no-untyped-def]
    version, key = cheap_draft(brand, prompt, segments["new"], marketer)
    on_brief = review.finding_override(version, key=key, justification="Fine on this brief only.", scope=WaiverScope.BRIEF_RULE, acting_user=reviewer)
    later, later_key = cheap_draft(brand, prompt, segments["new"], marketer)  # a new brief: out of the waiver's scope
    with pytest.raises(CopydeskError, match="does not cover"):
        review.waiver_apply(later, key=later_key, waiver_id=on_brief.pk, acting_user=reviewer)
    brand_wide = FindingOverride.objects.create(
        version=version, finding_key="other", rule_key=on_brief.rule_key, justification="Was fine last spring.", reviewer=reviewer,
        scope=WaiverScope.BRAND_RULE, brand=brand, expires_at=timezone.now() - timedelta(days=1),
    )
    with pytest.raises(CopydeskError, match="expired"):
        review.waiver_apply(later, key=later_key, waiver_id=brand_wide.pk, acting_user=reviewer)
    client = Client()
    client.force_login(reviewer)
    page = client.get(reverse("draft_detail", args=[later.draft_id])).content.decode()
    assert "Fine on this brief only." in page and "Was fine last spring." in page
    assert "Apply this waiver" not in page and "out of scope or expired" in page


def test_the_same_finding_on_the_same_brief_can_reuse_a_brief_waiver_from_the_page(logged_in, brand, prompt, segments, marketer, reviewer, reviewer2):  # type: ignore[no-untyped-def]
    version, key = cheap_draft(brand, prompt, segments["new"], marketer)
    client = logged_in(reviewer)
    client.post(reverse("finding_override", args=[version.pk]), {"finding": key, "justification": "Customer's own words, quoted.", "scope": "brief_rule"})
    waiver = FindingOverride.objects.get(version=version)
    assert waiver.scope == WaiverScope.BRIEF_RULE and waiver.brief_id == version.draft.brief_id
    # A sibling draft of the same brief written with the same word.
    sibling = generation.draft_edit(version.draft, fields=dict(version.fields, subject="Cheap boots, again"), base_version=version.number, acting_user=marketer)
    generation.draft_submit(version.draft, acting_user=marketer)
    sibling_key = finding_key(latest_check(sibling).blocking[0])  # type: ignore[union-attr]
    page = client.get(reverse("draft_detail", args=[version.draft_id])).content.decode()
    assert "Customer&#x27;s own words, quoted." in page and "Apply this waiver" in page
    client.post(reverse("finding_override", args=[sibling.pk]), {"finding": sibling_key, "waiver": waiver.pk})
    assert FindingOverride.objects.get(version=sibling).applied_from == waiver


def test_the_waivers_page_lists_waivers_with_how_the_copy_did_live(logged_in, brand, prompt, segments, marketer, reviewer, publisher):  # type: ignore[no-untyped-def]
    version, key = cheap_draft(brand, prompt, segments["new"], marketer)
    review.finding_override(version, key=key, justification="Brand line name, approved by legal.", acting_user=reviewer)
    review.review_approve(version.draft, version_number=version.number, acting_user=reviewer)
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="hello", name="Hello", channel="email", default_segment=segments["new"], acting_user=publisher)
    publication = publication_create(step, version=version, acting_user=publisher)
    OutcomeCount.objects.create(publication=publication, event="delivered", count=200)
    OutcomeCount.objects.create(publication=publication, event="clicked", count=30)
    page = logged_in(reviewer).get(reverse("brand_waivers", args=[brand.slug])).content.decode()
    assert "Brand line name, approved by legal." in page
    assert ">200<" in page and "15.0%" in page


def test_admins_set_review_roles_and_languages_from_the_users_page(logged_in, admin_user, reviewer):  # type: ignore[no-untyped-def]
    client = logged_in(admin_user)
    response = client.post(reverse("user_review_profile", args=[reviewer.pk]), {"review_roles": ["legal"], "languages": "es, fr-CA"})
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.review_roles == ["legal"] and reviewer.languages == ["es", "fr-CA"]
    assert reviewer.reads("es-US") and not reviewer.reads("de")
    assert "Legal" in client.get(reverse("user_list")).content.decode()
    with pytest.raises(CopydeskError, match="Unknown review role"):
        user_set_review_profile(reviewer, review_roles=["boss"], languages=[], acting_user=admin_user)
    with pytest.raises(CopydeskError, match="not a language code"):
        user_set_review_profile(reviewer, review_roles=[], languages=["Spanish!"], acting_user=admin_user)
    with pytest.raises(CopydeskError, match="Only admins"):
        user_set_review_profile(reviewer, review_roles=["legal"], languages=[], acting_user=reviewer)


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Etc/GMT+12"])
def test_a_waiver_end_date_too_far_ahead_is_refused_in_every_time_zone(logged_in, brand, prompt, segments, marketer, reviewer, settings, zone):  # type: ignore[no-untyped-def]
    """The end of 31 Dec 9999 behind UTC is a moment in the year 10000: it was a 500 on save there."""
    settings.TIME_ZONE = zone
    version, key = cheap_draft(brand, prompt, segments["new"], marketer)
    client = logged_in(reviewer)
    for day in ("9999-12-31", "9999-01-01"):
        response = client.post(reverse("finding_override", args=[version.pk]), {"finding": key, "justification": "Legal cleared the line name.", "scope": "brand_rule", "expires_on": day})
        assert response.status_code == 302
        assert [str(m) for m in get_messages(response.wsgi_request)][-1] == "Give the waiver an end date up to 31 Dec 9998."
    assert not FindingOverride.objects.exists()
    response = client.post(reverse("finding_override", args=[version.pk]), {"finding": key, "justification": "Legal cleared the line name.", "scope": "brand_rule", "expires_on": "9998-12-31"})
    assert FindingOverride.objects.get().expires_at.year in (9998, 9999)
    assert client.get(reverse("draft_detail", args=[version.draft_id])).status_code == 200
    assert client.get(reverse("brand_waivers", args=[brand.slug])).status_code == 200


@pytest.mark.parametrize("day", ["0000-00-00", "2026-02-30", "\x00", "x" * 100_000, "99999-01-01", "2000-01-01"])
def test_an_end_date_that_is_no_day_or_is_past_is_a_message_and_no_waiver(logged_in, brand, prompt, segments, marketer, reviewer, day):  # type: ignore[no-untyped-def]
    version, key = cheap_draft(brand, prompt, segments["new"], marketer)
    response = logged_in(reviewer).post(reverse("finding_override", args=[version.pk]), {"finding": key, "justification": "Legal cleared the line name.", "scope": "brand_rule", "expires_on": day})
    assert response.status_code == 302
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "error" and ("YYYY-MM-DD" in str(message) or "in the future" in str(message))
    assert not FindingOverride.objects.exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("languages", "x" * 1_000_000, "is not a language code"),
    ("languages", "en\x00", "is not a language code"),
    ("review_roles", "boss" * 250_000, "Unknown review role"),
])
def test_a_huge_or_odd_review_profile_value_is_refused_with_a_short_message(logged_in, admin_user, reviewer, field, value, message):  # type: ignore[no-untyped-def]
    response = logged_in(admin_user).post(reverse("user_review_profile", args=[reviewer.pk]), {field: value})
    (shown,) = get_messages(response.wsgi_request)
    assert response.status_code == 302 and message in str(shown) and len(str(shown)) < 200  # the message rides in the session
    reviewer.refresh_from_db()
    assert reviewer.review_roles == [] and reviewer.languages == []
