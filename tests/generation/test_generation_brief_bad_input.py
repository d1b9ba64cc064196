"""Bad input at the brief form (new and edit) and the discard and restore buttons: a 4xx or a message where the
marketer is, what was typed kept, and the brief, its revisions, drafts and audit log as they were."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.conftest import make_user
from tests.pipeline import brief_form_data, generate_now, make_brief
from workbench.access import SYSTEM
from workbench.accounts.models import Role
from workbench.audit.models import AuditEvent
from workbench.brand.actions import guide_version_create, segment_save
from workbench.brand.models import Brand
from workbench.generation.models import Brief, BriefRevision, Draft

pytestmark = pytest.mark.django_db

HUGE = "1" + "0" * 30


@pytest.fixture
def brief(brand, prompt, segments, marketer) -> Brief:  # type: ignore[no-untyped-def]
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    generate_now(brief, marketer)  # generated: an edit now makes a revision
    return brief


def stored(brief: Brief) -> tuple[object, ...]:
    brief = Brief.objects.prefetch_related("segments").get(pk=brief.pk)
    return (brief.title, brief.goal, brief.revision, brief.variants_per_segment, sorted(s.pk for s in brief.segments.all()),
            BriefRevision.objects.filter(brief=brief).count(), AuditEvent.objects.count())


@pytest.mark.parametrize("segment", [HUGE, "9" * 19, "-1", "0", "\u0663", "1e3"])
def test_a_segment_id_no_database_holds_is_a_form_error_on_new_and_edit(logged_in, brief, marketer, segment):
    """Checkbox ids are looked up with IN (...): SQLite raised OverflowError for 10**30, PostgreSQL a DataError (a 500)."""
    client = logged_in(marketer)
    before, briefs = stored(brief), Brief.objects.count()
    for url in (reverse("brief_create"), reverse("brief_edit", args=[brief.pk])):
        response = client.post(url, brief_form_data(brief, title="Typed title", segments=[brief.segments.get().pk, segment]))
        assert response.status_code == 400, url
        assert "is not one of the available choices" in response.content.decode() and 'value="Typed title"' in response.content.decode()
    assert stored(brief) == before and Brief.objects.count() == briefs


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "", "This field is required."),
    ("title", "t" * 201, "at most 200 characters"),
    ("goal", "g" * 1_000_000, "at most"),
    ("title", "a\x00b", "Null characters are not allowed."),
    ("variants_per_segment", "-1", "greater than or equal to 1"),
    ("variants_per_segment", HUGE, "Variants per segment must be between 1 and"),
    ("variants_per_segment", "1.5", "Enter a whole number."),
    ("temperature", "1e400", "Enter a number."),
    ("temperature", "nan", "Enter a number."),
    ("channels", "fax", "Select a valid choice."),
    ("prompt_template", HUGE, "Select a valid choice."),
    ("tone_context", "party", "Select a valid choice."),
], ids=lambda value: repr(value)[:20])
def test_a_bad_value_is_a_400_with_the_form_kept_and_nothing_stored(logged_in, brief, marketer, field, value, message):
    client = logged_in(marketer)
    before = stored(brief)
    response = client.post(reverse("brief_edit", args=[brief.pk]), brief_form_data(brief, key_message="Typed message", **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode() or message in str(response.context["form"].errors)
    assert "Typed message" in response.content.decode()
    assert stored(brief) == before


def test_a_segment_of_another_brand_or_a_move_to_another_brand_is_refused(logged_in, brief, marketer):
    source = (settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text()
    guide_version_create(source_yaml=source.replace("slug: northwind", "slug: contoso"), acting_user=SYSTEM)
    contoso = Brand.objects.get(slug="contoso")
    theirs = segment_save(brand=contoso, slug="vip", name="Contoso VIPs", acting_user=SYSTEM)
    client = logged_in(marketer)
    before = stored(brief)
    response = client.post(reverse("brief_edit", args=[brief.pk]), brief_form_data(brief, segments=[theirs.pk]))
    assert response.status_code == 400 and "Not segments of Northwind Outfitters: Contoso VIPs." in response.content.decode()
    response = client.post(reverse("brief_edit", args=[brief.pk]), brief_form_data(brief, brand=contoso.pk, segments=[theirs.pk]))
    assert response.status_code == 400
    assert stored(brief) == before and Brief.objects.get(pk=brief.pk).brand_id == brief.brand_id


def test_saving_the_same_edit_twice_makes_one_revision(logged_in, brief, marketer):
    client = logged_in(marketer)
    data = brief_form_data(brief, key_message="Lighter than ever")
    assert client.post(reverse("brief_edit", args=[brief.pk]), data).status_code == 302
    assert client.post(reverse("brief_edit", args=[brief.pk]), data).status_code == 302
    brief.refresh_from_db()
    assert brief.revision == 2 and BriefRevision.objects.filter(brief=brief).count() == 1
    assert AuditEvent.objects.filter(action="brief.revise").count() == 1


@pytest.mark.parametrize("who", ["other_marketer", "reviewer", "publisher"])
def test_someone_elses_brief_cannot_be_edited_and_its_drafts_cannot_be_set_aside(client, brief, who, request):
    user = make_user("mo", Role.MARKETER) if who == "other_marketer" else request.getfixturevalue(who)
    client.force_login(user)
    before, (draft,) = stored(brief), list(brief.drafts.all())
    assert client.post(reverse("brief_edit", args=[brief.pk]), brief_form_data(brief, title="Mine now")).status_code == 403
    response = client.post(reverse("draft_discard", args=[draft.pk]))
    if who == "other_marketer":  # a marketer may press buttons; the action refuses and says why where they are
        assert response.status_code == 302
        assert [str(m) for m in get_messages(response.wsgi_request)] == ["Only the brief's author or an admin can discard its drafts."]
    else:
        assert response.status_code == 403
    assert stored(brief) == before and Draft.objects.get(pk=draft.pk).discarded_at is None


def test_discarding_twice_and_get_requests_change_nothing_more(logged_in, brief, marketer):
    client = logged_in(marketer)
    (draft,) = brief.drafts.all()
    for url in (reverse("draft_discard", args=[draft.pk]), reverse("draft_restore", args=[draft.pk])):
        assert client.get(url).status_code == 405
    assert client.post(reverse("draft_discard", args=[draft.pk])).status_code == 302
    again = client.post(reverse("draft_discard", args=[draft.pk]), {"back": "draft", "state": "\x00" * 10})
    assert again.status_code == 302 and again["Location"] == reverse("draft_detail", args=[draft.pk])
    assert [str(m) for m in get_messages(again.wsgi_request)][-1] == "This draft is already discarded."
    assert AuditEvent.objects.filter(action="draft.discard").count() == 1
    assert client.post(reverse("draft_restore", args=[draft.pk]), {"state": "x" * 100_000}).status_code == 302
    twice = client.post(reverse("draft_restore", args=[draft.pk]))
    assert [str(m) for m in get_messages(twice.wsgi_request)][-1] == "This draft is not discarded."
    assert AuditEvent.objects.filter(action="draft.restore").count() == 1


def test_a_mistyped_or_missing_brief_field_is_a_type_error_not_ignored(brand, prompt, segments, marketer) -> None:  # type: ignore[no-untyped-def]
    from workbench.generation.actions import brief_create

    fields = {"title": "T", "goal": "G", "key_message": "K", "call_to_action": "C", "segments": [segments["new"]],
              "channels": ["email"], "prompt_template": prompt}
    count = Brief.objects.count()
    with pytest.raises(TypeError, match="unexpected \\['titel'\\]"):
        brief_create(brand=brand, acting_user=marketer, **fields, titel="typo")
    with pytest.raises(TypeError, match="missing \\['goal'\\]"):
        brief_create(brand=brand, acting_user=marketer, **{k: v for k, v in fields.items() if k != "goal"})
    assert Brief.objects.count() == count
    assert brief_create(brand=brand, acting_user=marketer, **fields).variants_per_segment == 2
