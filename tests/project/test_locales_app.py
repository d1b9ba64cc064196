"""Locales in the app: briefs in several locales, generation per locale, review per locale, publishing and delivery per locale."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.pipeline import make_brief
from workbench.access import SYSTEM
from workbench.brand.actions import guide_version_create
from workbench.errors import CopydeskError
from workbench.generation import actions
from workbench.generation.context import prompt_context
from workbench.generation.models import Draft, GenerationJob
from workbench.generation.services import run_job
from workbench.journeys import actions as journey_actions
from workbench.journeys import livecache
from workbench.review.actions import review_approve

SPANISH = "Las nuevas botas de montaña ya llegaron, ligeras y cómodas"
FRENCH = "Les nouvelles bottes de randonnée sont arrivées, légères et confortables"


def generate(brief, author):  # type: ignore[no-untyped-def]
    run = actions.generation_start(brief, acting_user=author, enqueue=False)
    for job in run.jobs.all():
        run_job(job.pk)
    return run


def localised_brief(brand, prompt, segments, marketer, **extra):  # type: ignore[no-untyped-def]
    return make_brief(
        brand, prompt, [segments["new"]], marketer, channels=["email", "sms"], variants=1,
        locales=["en-US", "es-us", "fr-CA"], locale_key_messages={"es-US": SPANISH, "fr-CA": FRENCH}, **extra,
    )


def approved(draft, marketer, reviewer):  # type: ignore[no-untyped-def]
    actions.draft_submit(draft, acting_user=marketer)
    review_approve(draft, version_number=draft.latest_version().number, acting_user=reviewer)
    draft.refresh_from_db()
    return draft


# --- briefs and generation ---------------------------------------------------------------------


def test_it_fans_generation_out_per_segment_channel_and_locale(brand, prompt, segments, marketer):
    brief = localised_brief(brand, prompt, segments, marketer)
    assert brief.locales == ["en-US", "es-US", "fr-CA"]  # spelled as the guide declares them
    run = generate(brief, marketer)
    assert sorted(run.jobs.values_list("channel", "locale")) == sorted((c, loc) for c in ("email", "sms") for loc in ("en-US", "es-US", "fr-CA"))
    drafts = Draft.objects.filter(brief=brief)
    assert sorted(drafts.values_list("locale", flat=True)) == ["en-US", "en-US", "es-US", "es-US", "fr-CA", "fr-CA"]
    # Each locale numbers its own variants, so a localised draft has a default-locale sibling with the same number.
    assert set(drafts.values_list("variant", flat=True)) == {1}


def test_it_writes_in_the_default_locale_when_a_brief_picks_none(brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    assert brief.locales == []
    generate(brief, marketer)
    assert list(Draft.objects.filter(brief=brief).values_list("locale", flat=True)) == ["en-US"]
    assert list(GenerationJob.objects.filter(run__brief=brief).values_list("locale", flat=True)) == ["en-US"]


def test_it_refuses_a_locale_the_guide_does_not_declare(brand, prompt, segments, marketer):
    with pytest.raises(CopydeskError, match="declares no locale 'de-DE'"):
        make_brief(brand, prompt, [segments["new"]], marketer, locales=["de-DE"])
    with pytest.raises(CopydeskError, match="declares no locale"):
        make_brief(brand, prompt, [segments["new"]], marketer, locales=["en-US"], locale_key_messages={"pt-BR": "Olá"})


def test_it_counts_every_locale_against_the_brief_cap(brand, prompt, segments, marketer, settings):
    settings.MAX_DRAFTS_PER_BRIEF = 5
    brief = localised_brief(brand, prompt, segments, marketer)  # 2 channels × 3 locales × 1 variant = 6
    with pytest.raises(CopydeskError):
        actions.generation_start(brief, acting_user=marketer, enqueue=False)


def test_it_gives_prompts_the_locale_its_language_voice_and_rules(brand, prompt, segments, marketer):
    brief = localised_brief(brand, prompt, segments, marketer)
    guide = brand.current_guide()
    spanish = prompt_context(brief=brief, segment=segments["new"], channel="sms", guide=guide, past_rejections=[], locale="es-US")
    assert spanish["locale"]["tag"] == "es-US"
    assert spanish["locale"]["language_name"] == "Spanish"
    assert spanish["locale"]["translates"] is True
    assert spanish["voice"]["summary"].startswith("Cercana")
    assert spanish["voice"]["bad_examples"][0]["text"].startswith("¡¡¡")
    assert spanish["brief"]["key_message"] == SPANISH
    assert spanish["required"] == ["Responde STOP para cancelar"]
    assert "barato" in spanish["avoid"]["disallowed"] and "cheap" in spanish["avoid"]["disallowed"]
    english = prompt_context(brief=brief, segment=segments["new"], channel="sms", guide=guide, past_rejections=[])
    assert english["locale"]["tag"] == "en-US" and english["locale"]["translates"] is False
    assert english["required"] == ["Reply STOP to opt out"]
    assert english["brief"]["key_message"] == brief.key_message
    assert "barato" not in english["avoid"]["disallowed"]


def test_it_tells_the_model_which_language_to_write(brand, prompt, segments, marketer):
    from workbench.generation.prompting import render_prompt

    brief = localised_brief(brand, prompt, segments, marketer)
    context = prompt_context(brief=brief, segment=segments["new"], channel="email", guide=brand.current_guide(), past_rejections=[], locale="fr-CA")
    version = prompt.current_version()
    rendered = render_prompt(version.system_source, version.user_source, context)
    assert "French" in rendered.system and "fr-CA" in rendered.system
    assert "in French (fr-CA)" in rendered.user


def test_the_offline_stand_in_says_it_cannot_translate_and_writes_from_the_locale_key_message(brand, prompt, segments, marketer):
    brief = localised_brief(brand, prompt, segments, marketer)
    generate(brief, marketer)
    spanish_sms = Draft.objects.get(brief=brief, locale="es-US", channel="sms").latest_version()
    assert "cannot translate" in spanish_sms.parameters["note"]
    assert spanish_sms.fields["body"].startswith(SPANISH.split(",")[0])  # shortened to fit one UCS-2 segment ("ó")
    assert "Responde STOP para cancelar" in spanish_sms.fields["body"]
    assert "Reply STOP" not in spanish_sms.fields["body"]
    english_sms = Draft.objects.get(brief=brief, locale="en-US", channel="sms").latest_version()
    assert "note" not in english_sms.parameters
    assert spanish_sms.provenance()["locale"] == "es-US"


def test_it_checks_a_localised_draft_with_its_locale_rules(brand, prompt, segments, marketer):
    brief = make_brief(
        brand, prompt, [segments["new"]], marketer, channels=["sms"], variants=1, locales=["en-US", "es-US"],
        locale_key_messages={"es-US": "Botas de montaña a un precio barato"},
        key_message="Our cheap trail boots are here, light and comfortable",
    )
    generate(brief, marketer)
    spanish = Draft.objects.get(brief=brief, locale="es-US").latest_version().check_results.get()
    english = Draft.objects.get(brief=brief, locale="en-US").latest_version().check_results.get()
    assert "barato" in {f["rule"] for f in spanish.findings}  # a rule the es-US locale adds
    assert "barato" not in {f["rule"] for f in english.findings}
    assert "cheap" in {f["rule"] for f in english.findings}


def test_a_regenerated_draft_keeps_its_locale(brand, prompt, segments, marketer):
    from workbench.generation.models import JobMode

    brief = localised_brief(brand, prompt, segments, marketer)
    generate(brief, marketer)
    draft = Draft.objects.get(brief=brief, locale="fr-CA", channel="email")
    job = actions.draft_request_variation(draft, mode=JobMode.MORE_LIKE_THIS, base_version=1, count=1, acting_user=marketer)
    assert job.locale == "fr-CA"
    run_job(job.pk)
    more = Draft.objects.get(job=job)
    assert more.locale == "fr-CA" and more.variant == 2


# --- review --------------------------------------------------------------------------------------


def test_the_queue_filters_and_counts_by_locale(brand, prompt, segments, marketer, reviewer, logged_in):
    brief = localised_brief(brand, prompt, segments, marketer)
    generate(brief, marketer)
    for draft in Draft.objects.filter(brief=brief):
        actions.draft_submit(draft, acting_user=marketer)
    page = logged_in(reviewer).get("/review/", {"locale": "es-US"})
    assert page.status_code == 200
    facets = page.context["facets"]["locale"]
    assert {o["value"]: o["count"] for o in facets} == {"en-US": 2, "es-US": 2, "fr-CA": 2}
    assert [o["value"] for o in facets if o["selected"]] == ["es-US"]
    assert sorted(card.draft.locale for card, _ in page.context["rows"]) == ["es-US", "es-US"]


def test_the_draft_page_shows_the_default_locale_sibling(brand, prompt, segments, marketer, logged_in):
    brief = localised_brief(brand, prompt, segments, marketer)
    generate(brief, marketer)
    spanish = Draft.objects.get(brief=brief, locale="es-US", channel="email")
    english = Draft.objects.get(brief=brief, locale="en-US", channel="email")
    page = logged_in(marketer).get(f"/drafts/{spanish.pk}/")
    sibling = page.context["locale_sibling"]
    assert sibling.locale == "en-US" and sibling.draft == english
    assert f'href="/drafts/{english.pk}/"' in page.content.decode()
    assert logged_in(marketer).get(f"/drafts/{english.pk}/").context["locale_sibling"] is None


# --- publishing and delivery ---------------------------------------------------------------------


@pytest.fixture
def localised_live(brand, prompt, segments, marketer, reviewer, publisher, admin_user):  # type: ignore[no-untyped-def]
    livecache.forget_all()
    journey = journey_actions.journey_create(brand=brand, slug="spring", name="Spring", acting_user=publisher)
    step = journey_actions.journey_step_create(journey, slug="mail", name="Mail", channel="email", default_segment=segments["new"], acting_user=publisher)
    brief = localised_brief(brand, prompt, segments, marketer)
    generate(brief, marketer)
    published = {}
    for locale in ("en-US", "es-US"):
        draft = approved(Draft.objects.get(brief=brief, locale=locale, channel="email"), marketer, reviewer)
        published[locale] = journey_actions.publication_create(step, version=draft.latest_version(), acting_user=publisher)
    _, token = journey_actions.api_client_create(name="engine", journeys=[journey], acting_user=admin_user)
    return {"step": step, "brief": brief, "published": published, "auth": {"HTTP_AUTHORIZATION": f"Bearer {token}"}}


URL = "/api/v1/journeys/spring/steps/mail/content"


def test_a_publication_is_for_its_drafts_locale(localised_live):
    assert {loc: p.locale for loc, p in localised_live["published"].items()} == {"en-US": "en-US", "es-US": "es-US"}


def test_it_serves_the_locale_asked_for_and_says_so(client, localised_live):
    body = client.get(URL, {"segment": "new-customers", "locale": "es-US"}, **localised_live["auth"]).json()
    assert body["publication"] == localised_live["published"]["es-US"].pk
    assert body["locale"] == body["requested_locale"] == "es-US"
    assert client.get(URL, {"segment": "new-customers", "locale": "ES-us"}, **localised_live["auth"]).json()["locale"] == "es-US"


def test_without_a_locale_it_serves_the_brand_default_as_before(client, localised_live):
    body = client.get(URL, {"segment": "new-customers"}, **localised_live["auth"]).json()
    assert body["publication"] == localised_live["published"]["en-US"].pk
    assert body["locale"] == body["requested_locale"] == "en-US"


def test_it_falls_back_to_the_default_locale_unless_told_not_to(client, localised_live):
    response = client.get(URL, {"segment": "new-customers", "locale": "fr-CA"}, **localised_live["auth"])
    body = response.json()
    assert body["publication"] == localised_live["published"]["en-US"].pk
    assert (body["locale"], body["requested_locale"]) == ("en-US", "fr-CA")
    # The fallback body differs from the default locale's own, so its ETag does too.
    direct = client.get(URL, {"segment": "new-customers"}, **localised_live["auth"])
    assert response["ETag"] != direct["ETag"]
    strict = client.get(URL, {"segment": "new-customers", "locale": "fr-CA", "fallback": "false"}, **localised_live["auth"])
    assert strict.status_code == 404
    assert strict.json()["error"] == "nothing_live"


def test_it_falls_back_to_the_same_language_before_the_default(client, brand, localised_live):
    source = (settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text()
    guide_version_create(source_yaml=source.replace("  fr-CA:\n", "  es-MX: {}\n  fr-CA:\n", 1), acting_user=SYSTEM)
    livecache.forget_all()
    body = client.get(URL, {"segment": "new-customers", "locale": "es-MX"}, **localised_live["auth"]).json()
    assert (body["locale"], body["requested_locale"]) == ("es-US", "es-MX")


@pytest.mark.parametrize(("locale", "served"), [("es-MX", "es-US"), ("es", "es-US"), ("de-DE", "en-US"), ("pt-BR", "en-US")])
def test_a_customers_locale_the_brand_does_not_write_in_falls_back_by_language(client, localised_live, locale, served):
    # the journey engine sends the customer's locale; it gets the brand's nearest content and is told so
    response = client.get(URL, {"segment": "new-customers", "locale": locale}, **localised_live["auth"])
    body = response.json()
    assert response.status_code == 200
    assert (body["locale"], body["requested_locale"]) == (served, locale)
    assert body["publication"] == localised_live["published"][served].pk


@pytest.mark.parametrize("locale", ["de-DE", "pt-BR", "es-MX"])
def test_an_undeclared_locale_without_fallback_is_refused_in_one_sentence(client, localised_live, locale):
    response = client.get(URL, {"segment": "new-customers", "locale": locale, "fallback": "false"}, **localised_live["auth"])
    assert response.status_code == 400
    assert response.json()["error"] == "unknown_locale"
    assert locale in response.json()["detail"]


@pytest.mark.parametrize("locale", ["spanish!", "es_US", "e", "es-US-x-private-stuff"])
def test_a_malformed_locale_is_refused(client, localised_live, locale):
    response = client.get(URL, {"segment": "new-customers", "locale": locale}, **localised_live["auth"])
    assert response.status_code == 422
    assert "BCP 47" in response.json()["detail"]


def test_the_listing_shows_live_locales(client, localised_live):
    step = client.get("/api/v1/journeys", **localised_live["auth"]).json()["journeys"][0]["steps"][0]
    assert step["live_segments"] == ["new-customers"]
    assert step["live_locales"] == {"new-customers": ["en-US", "es-US"]}


def test_replacing_ends_only_the_same_locale(brand, prompt, segments, marketer, reviewer, publisher, localised_live):
    brief = localised_live["brief"]
    generate(brief, marketer)  # a second run: new drafts in every locale
    newer = Draft.objects.filter(brief=brief, locale="es-US", channel="email").order_by("-pk").first()
    approved(newer, marketer, reviewer)
    journey_actions.publication_create(localised_live["step"], version=newer.latest_version(), replace=True, acting_user=publisher)
    for publication in localised_live["published"].values():
        publication.refresh_from_db()
    assert localised_live["published"]["es-US"].ended_at is not None
    assert localised_live["published"]["en-US"].ended_at is None


def test_rollback_works_per_locale(publisher, localised_live):
    step, spanish = localised_live["step"], localised_live["published"]["es-US"]
    journey_actions.publication_end(spanish, acting_user=publisher)
    restored = journey_actions.publication_rollback(step, segment=spanish.segment, locale="es-US", acting_user=publisher)
    assert [p.locale for p in restored] == ["es-US"]
    localised_live["published"]["en-US"].refresh_from_db()
    assert localised_live["published"]["en-US"].ended_at is None


def test_what_works_breaks_outcomes_down_by_locale(client, publisher, localised_live, logged_in):
    spanish = localised_live["published"]["es-US"]
    response = client.post(
        "/api/v1/journeys/spring/steps/mail/outcomes", [{"publication": spanish.pk, "event": "delivered", "count": 7}],
        content_type="application/json", **localised_live["auth"],
    )
    assert response.status_code == 200
    tables = dict(logged_in(publisher).get("/journeys/performance/").context["tables"])
    assert {row.label: row.delivered for row in tables["Locale"]} == {"es-US": 7}


# --- demo data -----------------------------------------------------------------------------------


def test_the_demo_has_localised_drafts_in_every_state_and_live_localised_content(db, tmp_path, settings):
    import os

    from django.core.management import call_command

    from workbench.generation.models import DraftState
    from workbench.journeys.models import Publication

    settings.DATA_DIR = tmp_path
    call_command("seed_demo", "--quiet-passwords", stdout=open(os.devnull, "w"))
    for locale in ("es-US", "fr-CA"):
        states = set(Draft.objects.filter(locale=locale).values_list("state", flat=True))
        assert states == set(DraftState.values), locale
        assert Publication.objects.live().filter(locale=locale, step__slug="welcome-email").exists(), locale


def test_generate_refuses_a_locale_the_guide_no_longer_declares(brand, prompt, segments, marketer):
    brief = localised_brief(brand, prompt, segments, marketer)
    source = (settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text()
    without_french = source.split("  fr-CA:\n", 1)[0] + "voice:" + source.split("\nvoice:", 1)[1]
    guide_version_create(source_yaml=without_french, acting_user=SYSTEM)
    with pytest.raises(CopydeskError, match="no longer declares fr-CA"):
        actions.generation_start(brief, acting_user=marketer, enqueue=False)


def test_content_of_a_locale_the_brand_no_longer_writes_in_is_not_served(client, brand, localised_live):
    source = (settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text()
    guide_version_create(source_yaml=source.replace("  es-US:\n", "  es-419:\n", 1), acting_user=SYSTEM)
    livecache.forget_all()
    body = client.get(URL, {"segment": "new-customers", "locale": "es-US"}, **localised_live["auth"]).json()
    # es-US's publication is still on record, but the guide now writes Spanish as es-419
    assert (body["locale"], body["requested_locale"]) == ("en-US", "es-US")
