"""Cut-off copy is a blocking length/truncated finding (PRODUCT.md)."""

from __future__ import annotations

import pytest

from workbench.checks.engine import CompiledGuide, check_fields, compile_guide
from workbench.checks.engine.truncation import find_truncations, is_fragment


@pytest.fixture(scope="module")
def guide() -> CompiledGuide:
    return compile_guide({"slug": "t", "name": "T", "required": {"sms": ["Reply STOP to opt out"]}})


def truncated(guide: CompiledGuide, channel: str, fields: dict[str, str]) -> list[tuple[str, str]]:
    result = check_fields(guide, channel, fields)
    out = []
    for f in result.findings:
        if f.rule == "truncated":
            assert f.kind == "length" and f.severity == "block"
            assert fields[f.field][f.start:f.end] == f.match
            out.append((f.field, f.match))
    return out


@pytest.mark.parametrize(
    ("channel", "fields", "expected"),
    [
        ("email", {"subject": "Our winter favourites are back in all…"}, [("subject", "all…")]),
        ("email", {"subject": "Fresh layers for the..."}, [("subject", "the...")]),
        ("push", {"body": "We fixed the delay and it…"}, [("body", "it…")]),
        ("sms", {"body": "Layers that keep you warm down to... Reply STOP to opt out"}, [("body", "to...")]),
        ("sms", {"body": "Your order with our . . . \nReply STOP to opt out"}, [("body", "our . . .")]),
        ("in_app", {"title": "The spring collection is…"}, [("title", "is…")]),
        ("in_app", {"body": "Pick up your new collec… today"}, [("body", "collec…")]),
        ("email", {"subject": "Our winter sale ends tomor"}, [("subject", "tomor")]),
        ("push", {"title": "Back in sto-"}, [("title", "sto-")]),
        ("in_app", {"cta": "Shop the"}, [("cta", "the")]),
        ("email", {"preheader": "Para ti y para tu familia, con…"}, [("preheader", "con…")]),
    ],
)
def test_it_blocks_copy_cut_mid_phrase_or_mid_word(
    guide: CompiledGuide, channel: str, fields: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    assert truncated(guide, channel, fields) == expected


@pytest.mark.parametrize(
    ("channel", "fields"),
    [
        ("email", {"subject": "Guess what's back…"}),
        ("email", {"subject": "Wait for it..."}),
        ("push", {"body": "That's all… for now. See you soon."}),
        ("push", {"body": "Here it is…"}),
        ("push", {"body": "Yes we can…"}),
        ("push", {"body": "Boots, coats and more…"}),
        ("sms", {"body": "We're counting down to… the big day. Reply STOP to opt out"}),
        ("sms", {"body": "Something big is coming... Reply STOP to opt out"}),
        ("in_app", {"title": "Sign in", "cta": "Check it out", "body": "Shop the new merch"}),
        ("in_app", {"title": "Follow Northwind", "cta": "Check-in", "body": "Visit https://northwind.example/spring"}),
        ("email", {"subject": "Hi {{ first_name }}", "body": "<p>Your boots shipped…</p><p>Track them here.</p>"}),
        ("push", {"title": "What are you waiting for", "body": "Ready, set…"}),
    ],
)
def test_it_leaves_complete_phrases_alone(guide: CompiledGuide, channel: str, fields: dict[str, str]) -> None:
    assert truncated(guide, channel, fields) == []


def test_it_reads_a_fragment_from_the_pronouncing_dictionary() -> None:
    assert is_fragment("tomor") and is_fragment("availab") and is_fragment("collec")
    # whole words, inflections the dictionary lacks, coinages and everyday clippings
    assert not any(is_fragment(w) for w in ("parka", "preorder", "northwind", "hoodies", "merch", "app", "the"))


def test_it_reports_each_cut_once() -> None:
    text = "Our new collec…"
    assert [(text[c.start:c.end]) for c in find_truncations(text)] == ["collec…"]


LOCALE_GUIDE = compile_guide({
    "slug": "t", "name": "T", "language": "en",
    "locales": {"en-US": {}, "es-US": {}, "fr-CA": {}, "de-DE": {}, "it-IT": {}, "pt-BR": {}, "nl-NL": {}},
})


@pytest.mark.parametrize(("locale", "subject"), [
    # the last word begins some English word ("listo": "listowel", "ici": "icicle"): no fragment in its own language
    ("es-US", "Tu cambio está listo"),
    ("fr-CA", "Votre prochaine randonnée commence ici"),
    ("fr-CA", "Merci pour votre achat"),
    ("de-DE", "Danke für Ihren Einkauf"),
    ("it-IT", "Il tuo ordine è partito"),
    ("pt-BR", "Seu pedido está a caminho"),
    ("nl-NL", "Je bestelling is onderweg"),
    # a particle or pronoun that ends a phrase in that language
    ("fr-CA", "Profitez-en"),
    ("de-DE", "Mach mit"),
    ("de-DE", "Melde dich jetzt an"),
    ("nl-NL", "Doe mee"),
    ("es-US", "Vuelven las botas de montaña… ¡y más!"),
])
def test_it_reads_a_localised_field_in_its_own_language(locale: str, subject: str) -> None:
    result = check_fields(LOCALE_GUIDE, "email", {"subject": subject}, locale=locale)
    assert [f.match for f in result.findings if f.rule == "truncated"] == []


@pytest.mark.parametrize(("locale", "subject", "cut"), [
    ("es-US", "Nuevas botas para", "para"),
    ("es-US", "Vuelven las botas de… Responde STOP", "de…"),
    ("fr-CA", "Retrouvez nos offres sur…", "sur…"),
    ("fr-CA", "Découvrez notre nouvelle collec-", "collec-"),
    ("de-DE", "Jetzt neu: die Kollektion für den", "den"),
    ("it-IT", "Scopri la nuova collezione della", "della"),
    ("pt-BR", "Conheça a nova coleção para", "para"),
    ("nl-NL", "Ontdek de nieuwe collectie van", "van"),
])
def test_it_blocks_a_localised_field_cut_mid_phrase(locale: str, subject: str, cut: str) -> None:
    result = check_fields(LOCALE_GUIDE, "email", {"subject": subject}, locale=locale)
    assert [f.match for f in result.findings if f.rule == "truncated"] == [cut]
