"""The guide's form editors: terms, required texts, channel limits, tone contexts, and who may use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workbench.audit.models import AuditEvent
from workbench.brand.actions import guide_version_create
from workbench.brand.models import Brand, BrandGuideVersion
from workbench.brand.signals import guide_changed

pytestmark = pytest.mark.django_db

PAGES = ("guide_terms", "guide_required", "guide_limits", "guide_tone")


def url(name: str) -> str:
    return reverse(name, args=["northwind"])


def add_term(client, **fields: str):
    return client.post(url("guide_terms"), {"base_version": "1", "severity": "block", **fields})


def test_an_admin_adds_a_term_as_a_new_audited_version_and_the_rest_of_the_yaml_is_kept(logged_in, brand, admin_user):
    before = brand.current_guide().source_yaml
    response = add_term(logged_in(admin_user), term="bargain bin", severity="warn", suggestion="great value",
                        reason="sounds cheap", exceptions="bargain bin sale\n\n")

    assert response.status_code == 302 and response["Location"] == url("guide_terms")
    version = brand.current_guide()
    assert version.number == 2 and version.created_by == admin_user
    assert version.data["disallowed"][-1] == {"term": "bargain bin", "severity": "warn", "suggestion": "great value", "reason": "sounds cheap", "except": ["bargain bin sale"]}
    # Only the new line is added: comments and every other line stay as written.
    added = [line for line in version.source_yaml.splitlines() if line not in before.splitlines()]
    assert added == ['  - {term: "bargain bin", severity: warn, suggestion: "great value", reason: "sounds cheap", except: ["bargain bin sale"]}']
    assert len(version.source_yaml.splitlines()) == len(before.splitlines()) + 1
    event = AuditEvent.objects.filter(action="guide.version_create").last()
    assert event.actor_label == admin_user.username and event.changes["number"] == [1, 2]


def test_an_admin_edits_and_removes_a_term(logged_in, brand, admin_user):
    client = logged_in(admin_user)
    page = client.get(url("guide_terms"), {"edit": "0"}).content.decode()
    assert "Edit “cheap”" in page and 'value="affordable"' in page

    response = add_term(client, index="0", term="cheap", severity="warn", suggestion="affordable", reason="", exceptions="cheap and cheerful")
    assert response.status_code == 302
    assert brand.current_guide().data["disallowed"][0] == {"term": "cheap", "severity": "warn", "suggestion": "affordable", "except": ["cheap and cheerful"]}

    response = client.post(url("guide_terms"), {"base_version": "2", "index": "0", "remove": "1"})
    assert response.status_code == 302
    terms = [t["term"] for t in brand.current_guide().data["disallowed"]]
    assert "cheap" not in terms and terms[0] == "free" and brand.current_guide().number == 3


def test_a_term_can_be_added_for_one_locale(logged_in, brand, admin_user):
    response = add_term(logged_in(admin_user), term="ganga", scope="es-US")
    assert response.status_code == 302
    data = brand.current_guide().data
    assert data["locales"]["es-US"]["disallowed"][-1] == {"term": "ganga", "severity": "block"}
    assert all(t["term"] != "ganga" for t in data["disallowed"])


def test_a_bad_term_is_a_form_error_beside_the_field_and_keeps_what_was_typed(logged_in, brand, admin_user):
    response = add_term(logged_in(admin_user), term="!!!", reason="typed reason")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_term-error">must contain at least one letter or digit' in page
    assert 'value="typed reason"' in page and "Traceback" not in page
    assert BrandGuideVersion.objects.count() == 1

    response = add_term(logged_in(admin_user), term="deal", severity="loud")
    assert response.status_code == 400 and 'id="id_severity-error">' in response.content.decode()


def test_a_stale_edit_is_refused_with_a_clear_message(logged_in, brand, admin_user):
    source = brand.current_guide().source_yaml
    guide_version_create(source_yaml=source.replace("{term: \"act now\", severity: warn}", "{term: \"act now\", severity: block}"), acting_user=admin_user)

    response = add_term(logged_in(admin_user), term="bargain")  # the form was opened on version 1
    page = response.content.decode()
    assert response.status_code == 400
    assert "Version 2 of this guide was saved by" in page and "while you were editing version 1" in page and "not saved" in page
    assert 'value="bargain"' in page
    assert BrandGuideVersion.objects.count() == 2

    response = logged_in(admin_user).post(url("guide_edit"), {"source_yaml": source, "base_version": "1"})
    assert response.status_code == 400 and "Version 2 of this guide was saved by" in response.content.decode()
    assert BrandGuideVersion.objects.count() == 2


def test_a_form_save_triggers_the_same_re_check_as_a_yaml_save(logged_in, brand, admin_user, django_capture_on_commit_callbacks):
    sent = []

    def receiver(sender, version, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(version.number)

    guide_changed.connect(receiver, dispatch_uid="test-guide-forms")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert add_term(logged_in(admin_user), term="bargain").status_code == 302
    finally:
        guide_changed.disconnect(dispatch_uid="test-guide-forms")
    assert sent == [2]


def test_required_texts_per_channel_and_per_locale(logged_in, brand, admin_user):
    client = logged_in(admin_user)
    page = client.get(url("guide_required")).content.decode()
    assert "Reply STOP to opt out" in page and "Responde STOP para cancelar" in page
    form = {"base_version": "1", "all__sms": "Reply STOP to opt out\nText HELP for help", "all__email": "{{ unsubscribe_url }}",
            "es-US__sms": "Responde STOP para cancelar", "fr-CA__sms": "Répondez STOP pour vous désabonner", "en-US__push": "Tap to stop"}
    assert client.post(url("guide_required"), form).status_code == 302
    data = brand.current_guide().data
    assert data["required"] == {"sms": ["Reply STOP to opt out", "Text HELP for help"], "email": ["{{ unsubscribe_url }}"]}
    assert data["locales"]["en-US"] == {"required": {"push": ["Tap to stop"]}}
    assert data["locales"]["es-US"]["required"] == {"sms": ["Responde STOP para cancelar"]}


def test_channel_limits_blank_means_the_default_and_bad_numbers_are_field_errors(logged_in, brand, admin_user):
    client = logged_in(admin_user)
    response = client.post(url("guide_limits"), {"base_version": "1", "email__subject_max_chars": "50", "sms__max_segments": "2"})
    assert response.status_code == 302
    assert brand.current_guide().data["channels"] == {"email": {"subject_max_chars": 50}, "sms": {"max_segments": 2}}
    response = client.post(url("guide_limits"), {"base_version": "2", "email__subject_max_chars": "0"})
    assert response.status_code == 400 and 'id="id_email__subject_max_chars-error">' in response.content.decode()
    assert BrandGuideVersion.objects.count() == 2


def tone_form(**rows: dict[str, str]) -> dict[str, str]:
    """The tone page's POST: northwind's default row as it is, then the given context rows."""
    data = {"base_version": "1", "default-max_exclamations": "1", "default-shouting": "flagged", "default-max_reading_grade": "9",
            "ctx-TOTAL_FORMS": str(len(rows)), "ctx-INITIAL_FORMS": "3", "ctx-MIN_NUM_FORMS": "0", "ctx-MAX_NUM_FORMS": "100"}
    for i, (name, fields) in enumerate(rows.items()):
        data.update({f"ctx-{i}-{key}": value for key, value in fields.items()})
        data.setdefault(f"ctx-{i}-name", name)
    return data


def test_tone_contexts_are_added_changed_and_renamed_but_not_from_under_a_segment(logged_in, segments, admin_user):
    brand = segments["new"].brand
    client = logged_in(admin_user)
    page = client.get(url("guide_tone")).content.decode()
    assert "used by Open complaint" in page

    keep = {"promotional": {"original": "promotional", "max_exclamations": "2"},
            "service_recovery": {"original": "service_recovery", "max_exclamations": "0", "promotional": "flagged", "urgency": "flagged", "celebratory": "flagged"}}
    refused = tone_form(**keep, **{"billing": {"original": "billing_issue"}}, winback={"shouting": "allowed", "max_exclamations": "3"})
    refused["ctx-0-remove"] = "on"  # promotional is followed by the loyal members
    response = client.post(url("guide_tone"), refused)
    assert response.status_code == 400 and "It cannot be removed: segment Loyal members follows it." in response.content.decode()
    assert BrandGuideVersion.objects.count() == 1

    saved = tone_form(**keep, **{"billing": {"original": "billing_issue"}}, winback={"shouting": "allowed", "max_exclamations": "3"})
    assert client.post(url("guide_tone"), saved).status_code == 302
    tone = brand.current_guide().data["tone"]
    assert tone["default"] == {"max_exclamations": 1, "shouting": False, "max_reading_grade": 9}
    assert tone["contexts"] == {
        "promotional": {"max_exclamations": 2},
        "service_recovery": {"max_exclamations": 0, "promotional": False, "urgency": False, "celebratory": False},
        "billing": {}, "winback": {"max_exclamations": 3, "shouting": True},
    }


def test_adding_a_tone_row_without_javascript_keeps_what_was_typed_and_saves_nothing(logged_in, brand, admin_user):
    data = tone_form(promotional={"original": "promotional", "max_exclamations": "5"})
    data["add_context"] = "1"
    page = logged_in(admin_user).post(url("guide_tone"), data).content.decode()
    assert 'name="ctx-1-name"' in page and 'name="ctx-0-max_exclamations" value="5"' in page
    assert BrandGuideVersion.objects.count() == 1


@pytest.mark.parametrize("name", PAGES)
def test_the_form_pages_render_for_an_admin_with_no_contract_jargon(logged_in, brand, admin_user, name):
    page = logged_in(admin_user).get(url(name)).content.decode()
    assert "Contract" not in page and 'name="base_version" value="1"' in page


@pytest.mark.parametrize("persona", ["marketer", "reviewer", "publisher"])
def test_only_admins_use_the_guide_forms(logged_in, brand, persona, request):
    client = logged_in(request.getfixturevalue(persona))
    for name in PAGES:
        assert client.get(url(name)).status_code == 403
    assert add_term(client, term="bargain").status_code == 403
    assert client.post(url("guide_limits"), {"base_version": "1", "email__subject_max_chars": "10"}).status_code == 403
    assert "/edit/terms/" not in client.get(reverse("guide_detail", args=["northwind"])).content.decode()
    assert BrandGuideVersion.objects.count() == 1


def test_the_yaml_editor_numbers_its_lines_and_links_problems_to_them(logged_in, brand, admin_user):
    client = logged_in(admin_user)
    source = brand.current_guide().source_yaml
    page = client.get(url("guide_edit")).content.decode()
    lines = source.count("\n") + 1
    assert f'<span id="line-{lines}">{lines}</span>' in page and "Contract" not in page
    text = source.replace("{term: \"act now\", severity: warn}", "{term: \"act now\", severity: loud}")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "severity: loud" in row)
    page = client.post(url("guide_edit"), {"source_yaml": text, "base_version": "1"}).content.decode()
    assert f'<a href="#line-{line}" class="goto-line" data-line="{line}">' in page
    assert f'<span id="line-{line}" class="bad">{line}</span>' in page


def test_a_guide_whose_layout_cannot_be_kept_is_written_out_in_full_and_the_page_says_so(logged_in, admin_user, db):
    guide_version_create(source_yaml='{slug: tiny, name: Tiny, disallowed: [{term: cheap}]}\n', acting_user=admin_user)
    response = logged_in(admin_user).post(reverse("guide_terms", args=["tiny"]), {"base_version": "1", "term": "bargain", "severity": "warn"}, follow=True)
    assert "its comments were not kept" in response.content.decode()
    assert Brand.objects.get(slug="tiny").current_guide().data["disallowed"] == [{"term": "cheap"}, {"term": "bargain", "severity": "warn"}]


ODD = ("99999999999999999999999", "-1", "²", "١٢", "abc", "\x00", "x" * 5000, "")


@pytest.mark.parametrize("value", ODD)
def test_odd_values_in_the_forms_own_keys_are_never_a_5xx(logged_in, brand, admin_user, value):
    client = logged_in(admin_user)
    keys = ("edit", "locale", "index", "scope", "remove", "base_version", "term", "severity", "exceptions",
            "ctx-TOTAL_FORMS", "ctx-INITIAL_FORMS", "ctx-0-name", "ctx-0-max_reading_grade", "default-shouting", "all__sms", "email__subject_max_chars")
    for name in PAGES:
        assert client.get(url(name), {key: value for key in keys}).status_code < 500
        for extra in ({}, {"remove": "1"}, {"add_context": "1"}):
            response = client.post(url(name), {**{key: value for key in keys}, **extra})
            assert response.status_code < 500, (name, extra, response.status_code)
    assert BrandGuideVersion.objects.count() == 1


def test_removing_a_term_from_a_stale_page_is_refused_and_says_why(logged_in, brand, admin_user):
    guide_version_create(source_yaml=brand.current_guide().source_yaml.replace("severity: warn}", "severity: block}", 1), acting_user=admin_user)
    response = logged_in(admin_user).post(url("guide_terms"), {"base_version": "1", "index": "0", "remove": "1"}, follow=True)
    assert "Version 2 of this guide was saved by" in response.content.decode()
    assert brand.current_guide().number == 2 and brand.current_guide().data["disallowed"][0]["term"] == "cheap"
