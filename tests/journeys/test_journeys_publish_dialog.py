"""The one publishing dialog, on a draft's page and on a step's page: nothing is chosen for the publisher, Replace is the
default, and what will be live afterwards is shown (and confirmed) before anything changes, with or without htmx."""

from __future__ import annotations

import re

import pytest

from tests.journeys_setup import Live, approved_draft, publish_through_dialog
from workbench.audit.models import AuditEvent
from workbench.errors import CopydeskError
from workbench.journeys import actions
from workbench.journeys.models import Publication

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def fresh(brand, prompt, segments, marketer, reviewer, live: Live):  # type: ignore[no-untyped-def]
    """An approved draft for the live step's segment, not yet published."""
    return approved_draft(brand, prompt, segments["new"], marketer, reviewer)


def _draft_publish(fresh) -> str:  # type: ignore[no-untyped-def]
    return f"/versions/{fresh.latest_version().pk}/publish/"


def _step_publish(live: Live) -> str:
    return f"/journeys/{live.journey.slug}/steps/{live.step.slug}/publish/"


def _current(live: Live) -> set[int]:
    return set(live.step.publications.current().values_list("version__draft_id", flat=True))


def test_it_offers_no_step_until_one_is_chosen_and_replace_by_default_on_the_draft_page(client, publisher, live: Live, fresh):
    client.force_login(publisher)
    page = client.get(f"/drafts/{fresh.pk}/").content.decode()
    dialog = page[page.index('id="publish-dialog"'):page.index("</form>", page.index('id="publish-dialog"'))]
    options = re.findall(r"<option value=\"(\d*)\"( selected)?>([^<]*)</option>", dialog[dialog.index('name="step"'):])
    assert options[0][0] == "" and options[0][2] == "Choose a step"
    assert not any(selected for value, selected, _ in options if value), "no step is picked for the publisher"
    assert re.search(r'value="1" id="id_replace_0" required checked', dialog), "Replace is the default"
    assert "Preview what will be live" in dialog


def test_the_server_refuses_a_publish_without_a_step_with_a_form_error(client, publisher, live: Live, fresh):
    client.force_login(publisher)
    before = set(Publication.objects.values_list("pk", flat=True))
    response = client.post(_draft_publish(fresh), {"step": "", "replace": "1", "weight": "100", "confirm": "1"})
    assert response.status_code == 400
    assert "Choose the journey step to publish to." in response.content.decode()
    assert set(Publication.objects.values_list("pk", flat=True)) == before


def test_submitting_shows_the_preview_and_publishes_nothing_until_confirmed(client, publisher, live: Live, fresh):
    client.force_login(publisher)
    response = client.post(_draft_publish(fresh), {"step": live.step.pk, "replace": "1", "weight": "100"})
    page = response.content.decode()
    assert response.status_code == 200 and "Check what will be live, then confirm." in page
    assert f"Taken down: draft {live.a.version.draft_id} v1 (weight 50), draft {live.b.version.draft_id} v1 (weight 50)" in page
    rows = re.findall(r"<tr[^>]*><td>([A-Z]+)</td>\s*<td>draft (\d+) v\d+", page)
    assert rows == [("A", str(fresh.pk))]
    assert "100 %" in page and "Confirm: replace and publish" in page
    assert _current(live) == {live.a.version.draft_id, live.b.version.draft_id}


def test_confirming_replace_takes_down_what_was_live_for_the_segment(client, publisher, live: Live, fresh):
    client.force_login(publisher)
    response = publish_through_dialog(client, _draft_publish(fresh), {"step": live.step.pk, "replace": "1", "weight": "100"})
    assert response.status_code == 302 and response["Location"] == f"/drafts/{fresh.pk}/"
    assert _current(live) == {fresh.pk}
    event = AuditEvent.objects.filter(action="publication.create").order_by("-pk").first()
    assert sorted(event.changes["replaced"]) == sorted([live.a.pk, live.b.pk])
    message = client.get(f"/drafts/{fresh.pk}/").content.decode()
    assert "Published on Spring › Launch email for New customers, replacing 2 variants; the API serves it now." in message


def test_add_as_a_variant_previews_every_arm_with_its_share_and_keeps_what_is_live(client, publisher, live: Live, fresh):
    client.force_login(publisher)
    data = {"step": live.step.pk, "replace": "0", "weight": "100"}
    page = client.post(_draft_publish(fresh), data).content.decode()
    rows = re.findall(r"<tr[^>]*><td>([A-Z]+)</td>\s*<td>draft (\d+) v\d+.*?</td>\s*<td>(\d+)</td><td>(\d+) %</td>", page, re.S)
    assert rows == [("A", str(live.a.version.draft_id), "50", "25"), ("B", str(live.b.version.draft_id), "50", "25"), ("C", str(fresh.pk), "100", "50")]
    assert "Taken down" not in page and "Confirm: add as variant C" in page
    assert publish_through_dialog(client, _draft_publish(fresh), data).status_code == 302
    assert _current(live) == {live.a.version.draft_id, live.b.version.draft_id, fresh.pk}


def test_a_preview_that_went_stale_is_shown_again_not_published(client, publisher, live: Live, fresh, brand, prompt, segments, marketer, reviewer):
    client.force_login(publisher)
    data = {"step": live.step.pk, "replace": "1", "weight": "100"}
    token = client.post(_draft_publish(fresh), data).context["plan"].token
    other = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    actions.publication_create(live.step, version=other.latest_version(), acting_user=publisher)  # someone else, meanwhile
    response = client.post(_draft_publish(fresh), {**data, "plan": token, "confirm": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and "changed after the preview was made" in page
    assert f"draft {other.pk} v1 (weight 100)" in page  # the new preview shows what else would now be taken down
    assert fresh.pk not in _current(live)


def test_changing_the_mode_after_the_preview_asks_again(client, publisher, live: Live, fresh):
    client.force_login(publisher)
    token = client.post(_draft_publish(fresh), {"step": live.step.pk, "replace": "1", "weight": "100"}).context["plan"].token
    response = client.post(_draft_publish(fresh), {"step": live.step.pk, "replace": "0", "weight": "100", "plan": token, "confirm": "1"})
    assert response.status_code == 200 and "check what will be live now, then confirm" in response.content.decode()
    assert fresh.pk not in _current(live)


def test_the_action_refuses_a_plan_that_no_longer_holds(live: Live, fresh, publisher):
    plan = actions.publication_plan(live.step, version=fresh.latest_version(), replace=True, acting_user=publisher)
    actions.publication_end(live.a, acting_user=publisher)
    with pytest.raises(CopydeskError, match="changed after the preview") as refused:
        actions.publication_create(live.step, version=fresh.latest_version(), replace=True, expected_plan=plan.token, acting_user=publisher)
    assert refused.value.code == "conflict" and fresh.pk not in _current(live)


def test_htmx_gets_the_preview_alone_as_the_choices_change(client, publisher, live: Live, fresh):
    client.force_login(publisher)
    nothing = client.post(_draft_publish(fresh), {"step": "", "replace": "1", "weight": "100", "preview": "1"}, **HTMX)
    assert nothing.status_code == 200 and "<html" not in nothing.content.decode()
    assert "Choose the journey step to publish to." in nothing.content.decode() and 'name="plan"' not in nothing.content.decode()
    chosen = client.post(_draft_publish(fresh), {"step": live.step.pk, "replace": "0", "weight": "100", "preview": "1"}, **HTMX).content.decode()
    assert "<html" not in chosen and 'name="plan"' in chosen and "Confirm: add as variant C" in chosen
    assert fresh.pk not in _current(live)


def test_the_preview_carries_the_refusal_of_content_that_cannot_go_there(client, publisher, live: Live, brand, prompt, segments, marketer, reviewer):
    sms = approved_draft(brand, prompt, segments["new"], marketer, reviewer, channel="sms")
    client.force_login(publisher)
    response = client.post(f"/versions/{sms.latest_version().pk}/publish/", {"step": live.step.pk, "replace": "1", "weight": "100"})
    assert response.status_code == 400 and "does not take this content" in response.content.decode()


def test_the_step_page_has_the_same_dialog_with_the_content_to_choose(client, publisher, live: Live, fresh):
    client.force_login(publisher)
    page = client.get(f"/journeys/{live.journey.slug}/steps/{live.step.slug}/").content.decode()
    dialog = page[page.index('id="publish-dialog"'):]
    assert '<option value="" selected>Choose approved content</option>' in dialog
    assert 'value="1" id="id_replace_0" required checked' in dialog and "Launch email" in dialog
    response = publish_through_dialog(client, _step_publish(live), {"version": fresh.latest_version().pk, "replace": "1", "weight": "100"})
    assert response.status_code == 302 and response["Location"] == f"/journeys/{live.journey.slug}/steps/{live.step.slug}/"
    assert _current(live) == {fresh.pk}


def test_the_step_page_ignores_a_posted_step(client, publisher, live: Live, fresh):
    """The step page publishes to its own step, whatever a crafted form says."""
    other_step = live.other_journey.steps.get()
    client.force_login(publisher)
    publish_through_dialog(client, _step_publish(live), {"version": fresh.latest_version().pk, "step": other_step.pk, "replace": "1", "weight": "100"})
    assert _current(live) == {fresh.pk} and not other_step.publications.exists()


def test_publishing_into_a_paused_journey_says_when_it_is_served(client, publisher, live: Live, fresh):
    actions.journey_set_paused(live.journey, paused=True, acting_user=publisher)
    client.force_login(publisher)
    page = client.post(_draft_publish(fresh), {"step": live.step.pk, "replace": "1", "weight": "100"}).content.decode()
    assert "Spring is paused:" in page
    response = publish_through_dialog(client, _draft_publish(fresh), {"step": live.step.pk, "replace": "1", "weight": "100"})
    assert "the API serves it once the journey is resumed" in client.get(response["Location"]).content.decode()


def test_who_may_not_publish_sees_who_does_and_no_dialog(client, marketer, live: Live, fresh):
    client.force_login(marketer)
    page = client.get(f"/drafts/{fresh.pk}/").content.decode()
    assert "A publisher or admin puts it live." in page and 'id="publish-dialog"' not in page
    assert client.post(_draft_publish(fresh), {"step": live.step.pk, "replace": "1", "weight": "100", "confirm": "1"}).status_code == 403
