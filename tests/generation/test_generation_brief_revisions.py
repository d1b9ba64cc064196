"""Editing a brief: in place until it is generated, then as a new revision with the old one kept beside its drafts."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import make_user
from tests.pipeline import brief_form_data, edit_brief, generate_now, make_brief
from workbench.access import SYSTEM
from workbench.accounts.models import Role
from workbench.audit.models import AuditEvent
from workbench.brand.actions import guide_version_create
from workbench.brand.models import Brand
from workbench.errors import CopydeskError
from workbench.generation import actions
from workbench.generation.models import Brief, BriefRevision, Draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief(brand, prompt, segments, marketer) -> Brief:  # type: ignore[no-untyped-def]
    return make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)


def test_before_generating_an_edit_changes_the_brief_in_place(logged_in, brief, marketer):
    response = logged_in(marketer).post(reverse("brief_edit", args=[brief.pk]), brief_form_data(brief, key_message="Lighter than ever"))
    assert response.status_code == 302
    brief.refresh_from_db()
    assert (brief.key_message, brief.revision) == ("Lighter than ever", 1)
    assert not BriefRevision.objects.exists()
    event = AuditEvent.objects.get(action="brief.update")
    assert event.changes["key_message"] == ["The new trail boots are here, light and comfortable", "Lighter than ever"]


def test_after_generating_an_edit_makes_a_revision_and_the_drafts_stay_with_the_old_one(logged_in, brief, marketer, segments):
    (old_draft,) = generate_now(brief, marketer)
    client = logged_in(marketer)
    edit_page = client.get(reverse("brief_edit", args=[brief.pk])).content.decode()
    assert "Save as revision 2" in edit_page
    response = client.post(reverse("brief_edit", args=[brief.pk]), brief_form_data(brief, title="Spring boots, warmer", segments=[segments["new"].pk, segments["loyal"].pk]))
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.revision == 2 and brief.title == "Spring boots, warmer"
    kept = BriefRevision.objects.get(brief=brief)
    assert kept.number == 1 and kept.data["title"] == "Spring boots" and [s["slug"] for s in kept.data["segments"]] == ["new-customers"]
    assert kept.replaced_by == marketer and kept.created_by == marketer
    event = AuditEvent.objects.get(action="brief.revise")
    assert event.changes["revision"] == [1, 2] and event.changes["title"] == ["Spring boots", "Spring boots, warmer"]

    generate_now(brief, marketer)
    assert {d.number: d.brief_revision for d in Draft.objects.filter(brief=brief)} == {1: 1, 2: 2, 3: 2}
    old_draft.refresh_from_db()
    assert old_draft.brief_revision == 1

    revision_page = client.get(reverse("brief_revision", args=[brief.pk, 1])).content.decode()
    assert "Spring boots" in revision_page and f'href="/drafts/{old_draft.pk}/"' in revision_page
    brief_page = client.get(reverse("brief_detail", args=[brief.pk])).content.decode()
    assert reverse("brief_revision", args=[brief.pk, 1]) in brief_page and "rev 1" in brief_page


def test_a_later_revision_records_who_wrote_the_one_it_replaces(brief, marketer, admin_user):
    generate_now(brief, marketer)
    edit_brief(brief, admin_user, title="Second")
    edit_brief(brief, marketer, title="Third")
    second = BriefRevision.objects.get(brief=brief, number=2)
    assert (second.data["title"], second.created_by, second.replaced_by) == ("Second", admin_user, marketer)


def test_saving_without_changes_makes_no_revision(brief, marketer):
    generate_now(brief, marketer)
    edit_brief(brief, marketer)
    brief.refresh_from_db()
    assert brief.revision == 1 and not BriefRevision.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["brief.update", "brief.revise"]).exists()


def test_it_refuses_an_edit_while_generating(brief, marketer):
    actions.generation_start(brief, acting_user=marketer, enqueue=False)
    with pytest.raises(CopydeskError, match="generating") as refused:
        edit_brief(brief, marketer, title="Mid-run")
    assert refused.value.code == "conflict"


def test_only_the_author_and_admins_may_edit(logged_in, brief, admin_user, reviewer):
    other = make_user("mo", Role.MARKETER)
    assert logged_in(other).get(reverse("brief_edit", args=[brief.pk])).status_code == 403
    assert logged_in(reviewer).get(reverse("brief_edit", args=[brief.pk])).status_code == 403
    assert logged_in(admin_user).get(reverse("brief_edit", args=[brief.pk])).status_code == 200
    with pytest.raises(CopydeskError):
        edit_brief(brief, other, title="Not mine")
    assert reverse("brief_edit", args=[brief.pk]) not in logged_in(other).get(reverse("brief_detail", args=[brief.pk])).content.decode()


# --- tone context, chosen from the guide ---------------------------------------------------------


def test_the_form_offers_the_guides_tone_contexts_as_a_select(logged_in, brand, prompt, segments, marketer):
    field = logged_in(marketer).get(reverse("brief_create")).context["form"]["tone_context"]
    widget = str(field)
    assert widget.startswith("<select") and 'value="service_recovery"' in widget and 'value="billing_issue"' in widget


def test_a_tone_context_the_guide_does_not_have_is_refused(logged_in, brief, marketer):
    response = logged_in(marketer).post(reverse("brief_edit", args=[brief.pk]), brief_form_data(brief, tone_context="jubilant"))
    assert response.status_code == 400 and "jubilant" in response.content.decode()
    with pytest.raises(CopydeskError, match="no tone context 'jubilant'"):
        edit_brief(brief, marketer, tone_context="jubilant")


def test_each_brand_is_held_to_its_own_guides_contexts(logged_in, brief, prompt, marketer):
    source = (settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text()
    other = source.replace("slug: northwind", "slug: contoso").replace("billing_issue:", "festive:")
    guide_version_create(source_yaml=other, acting_user=SYSTEM)
    contoso = Brand.objects.get(slug="contoso")
    assert "festive" in actions.brief_tone_contexts(contoso) and "festive" not in actions.brief_tone_contexts(brief.brand)
    form = logged_in(marketer).get(reverse("brief_create")).context["form"]
    assert 'value="festive"' in str(form["tone_context"])
    response = logged_in(marketer).post(reverse("brief_create"), brief_form_data(brief, tone_context="festive"))
    assert "has no tone context 'festive'" in html.unescape(response.content.decode())
    edit_form = logged_in(marketer).get(reverse("brief_edit", args=[brief.pk])).context["form"]
    assert 'value="festive"' not in str(edit_form["tone_context"])  # editing keeps the brand, so only its contexts
    edit_brief(brief, marketer, tone_context="billing_issue")
    brief.refresh_from_db()
    assert brief.tone_context == "billing_issue"
