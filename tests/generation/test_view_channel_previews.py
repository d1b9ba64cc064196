"""Channel previews on the draft and step pages: sample merge values filled by the delivery API's substitution, everything escaped."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import quote

import pytest

from tests.journeys_setup import Live, approved_draft
from tests.pipeline import submitted_draft
from workbench.generation import actions as generation
from workbench.generation.models import DraftVersion
from workbench.generation.previews import channel_preview
from workbench.journeys import actions

pytestmark = pytest.mark.django_db

EMAIL = {
    "subject": "Hi {{ first_name }}, your boots",
    "preheader": "Order {{ order_id }} is on its way",
    "body": "<p>Hello {{ first_name }}, your order {{ order_id }} ships today.</p><p><a href=\"https://northwind.example/track\">Track it</a></p><p>{{ unsubscribe_url }}</p>",
}


def _edited(brand, prompt, segment, marketer, channel: str, fields: dict[str, str]) -> DraftVersion:  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segment, marketer, channel=channel)
    return generation.draft_edit(draft, fields=fields, base_version=1, acting_user=marketer)


def _srcdoc(page: str) -> str:
    match = re.search(r'<iframe class="email-frame" sandbox="" [^>]*srcdoc="([^"]*)"', page)
    assert match, "the email body is shown in a sandboxed iframe"
    return html.unescape(match.group(1))


def test_the_draft_page_shows_the_email_in_an_inbox_with_sample_values(client, brand, prompt, segments, marketer):
    version = _edited(brand, prompt, segments["new"], marketer, "email", EMAIL)
    client.force_login(marketer)
    page = client.get(f"/drafts/{version.draft_id}/").content.decode()
    assert 'aria-label="Email in an inbox"' in page
    assert "Hi Alex, your boots" in page and "Order 10482 is on its way" in page
    assert "Hello Alex, your order 10482 ships today." in _srcdoc(page)
    assert "https://northwind.example/unsubscribe" in _srcdoc(page)
    # Which sample values were used, and where they came from.
    assert re.search(r"<code>first_name</code></th><td>Alex</td><td>sample</td>", page)
    assert re.search(r"<code>unsubscribe_url</code></th><td>https://northwind.example/unsubscribe</td><td>sample link on the brand&#x27;s domain</td>", page)


@pytest.mark.parametrize(
    ("channel", "fields", "marker", "shown"),
    [
        ("sms", {"body": "Hi {{ first_name }}, your cart: {{ cart_url }} Reply STOP to opt out"}, 'class="sms-bubble"', "Hi Alex, your cart: https://northwind.example/cart Reply STOP to opt out"),
        ("push", {"title": "{{ first_name }}, it shipped", "body": "Order {{ order_id }} is on its way."}, 'class="push-card"', "Alex, it shipped"),
        ("in_app", {"title": "Welcome {{ first_name }}", "body": "Your {{ product_name }} are here.", "cta": "Open"}, 'class="in-app-card"', "Your Trail Boots are here."),
    ],
)
def test_each_channel_has_its_own_preview(client, brand, prompt, segments, marketer, channel, fields, marker, shown):
    version = _edited(brand, prompt, segments["new"], marketer, channel, fields)
    client.force_login(marketer)
    page = client.get(f"/drafts/{version.draft_id}/").content.decode()
    assert marker in page and shown in page


def test_a_segment_attribute_of_the_same_name_is_the_sample(brand, prompt, segments, marketer):
    segments["loyal"].__class__.objects.filter(pk=segments["loyal"].pk).update(attributes={"first_name": "Sam", "lifecycle": "loyal"})
    segments["loyal"].refresh_from_db()
    version = _edited(brand, prompt, segments["loyal"], marketer, "push", {"title": "{{ first_name }}!", "body": "Hi {{ nickname }}"})
    preview = channel_preview(version)
    assert preview.fields["title"] == "Sam!"
    assert [(s.name, s.value, s.source) for s in preview.samples] == [("first_name", "Sam", "segment “Loyal members”")]
    # A placeholder the guide does not declare stays as written, as the API leaves it.
    assert preview.fields["body"] == "Hi {{ nickname }}" and preview.unfilled == ["nickname"]


def test_the_preview_fills_exactly_as_the_api_does_with_render_true(client, live: Live, brand, prompt, segments, marketer, reviewer):
    draft = approved_draft(brand, prompt, segments["loyal"], marketer, reviewer, fields=EMAIL)
    actions.publication_create(live.step, version=draft.latest_version(), acting_user=live.publisher)
    preview = channel_preview(draft.latest_version())
    attributes = quote(json.dumps({s.name: s.value for s in preview.samples}))
    body = client.get(live.url(segment="loyal-members", render="true", attributes=attributes), **live.auth()).json()
    assert body["content_id"] == draft.pk and body["fields"] == preview.fields and body["unfilled_merge_fields"] == preview.unfilled


def test_the_one_substitution_lives_in_one_place():
    from workbench.brand import merge
    from workbench.generation import previews
    from workbench.api import journeys as api

    assert api.render_merge_fields is merge.render_merge_fields is previews.render_merge_fields


XSS = '<img src=x onerror=alert(1)><script>alert("x")</script>'


def test_hostile_model_output_and_sample_values_are_escaped(client, brand, prompt, segments, marketer):
    segments["new"].__class__.objects.filter(pk=segments["new"].pk).update(attributes={"first_name": XSS})
    version = _edited(brand, prompt, segments["new"], marketer, "email", EMAIL)
    # Stored some other way than the sanitising actions: the preview must still be safe.
    DraftVersion.objects.filter(pk=version.pk).update(fields={
        "subject": "Hi {{ first_name }} " + XSS, "preheader": "<b onmouseover=alert(2)>x</b>",
        "body": f"<p onclick=\"alert(3)\">Hi {{{{ first_name }}}}</p>{XSS}<a href=\"javascript:alert(4)\">x</a><iframe src=\"https://evil.example\"></iframe>",
    })
    client.force_login(marketer)
    page = client.get(f"/drafts/{version.draft_id}/").content.decode()
    preview_html = page[page.index('class="card channel-preview"'):]
    preview_html = preview_html[: preview_html.index("</section>")]
    for raw in ("<img", "<script", "<b onmouseover", "<iframe src"):
        assert raw not in preview_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in preview_html
    document = _srcdoc(page)
    for raw in ("<script", "onclick", "javascript:", "<iframe", "<img"):
        assert raw not in document
    assert 'sandbox=""' in preview_html and "allow-" not in preview_html


def test_hostile_sms_copy_is_text_on_the_phone(client, brand, prompt, segments, marketer):
    version = _edited(brand, prompt, segments["new"], marketer, "sms", {"body": "Hi Reply STOP to opt out"})
    DraftVersion.objects.filter(pk=version.pk).update(fields={"body": XSS + " {{ first_name }}"})
    client.force_login(marketer)
    page = client.get(f"/drafts/{version.draft_id}/").content.decode()
    bubble = re.search(r'<p class="sms-bubble">(.*?)</p>', page, re.S)
    assert bubble and "<" not in bubble.group(1) and "&lt;script&gt;" in bubble.group(1) and "Alex" in bubble.group(1)


def test_the_step_page_previews_each_live_variant(client, marketer, live: Live):
    client.force_login(marketer)
    page = client.get(f"/journeys/{live.journey.slug}/steps/{live.step.slug}/").content.decode()
    assert "Previews of what is live" in page
    assert page.count('class="card channel-preview"') == 2
    assert f"publication {live.a.pk}, draft {live.a.version.draft_id}" in page and "variant B" in page
