"""Matching guide terms per language (PRODUCT.md "Locales"): inflections, accents, compounds, disguises."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.checks.engine import check_fields, compile_guide, parse_guide_yaml

GUIDE_YAML = textwrap.dedent(
    """\
    slug: polyglot
    name: Polyglot
    language: en
    disallowed:
      - {term: cheap}
    locales:
      en-US: {}
      es-ES:
        disallowed:
          - {term: barato}
          - {term: ano}
          - {term: pena}
          - {term: económico}
          - {term: gratis, except: ["envío gratis"]}
          - {term: "compra ya"}
          - {term: huracán}
          - {term: rico}
      fr-FR:
        disallowed:
          - {term: gratuit, except: ["livraison gratuite"]}
          - {term: "bon marché"}
          - {term: cote}
          - {term: sénateur}
          - {term: vendeur}
          - {term: "pas cher"}
          - {term: dernier}
          - {term: jeu}
          - {term: "feu de forêt"}
        claims:
          - {term: garanti}
      de-DE:
        disallowed:
          - {term: günstig}
          - {term: schon}
          - {term: gratis}
          - {term: frei}
          - {term: preis}
          - {term: "jetzt kaufen"}
          - {term: Senator}
      it-IT:
        disallowed:
          - {term: economico}
          - {term: gratuito}
          - {term: papa}
          - {term: senatore}
      pt-BR:
        disallowed:
          - {term: barato}
          - {term: grátis}
          - {term: avo}
      nl-NL:
        disallowed:
          - {term: goedkoop}
          - {term: gratis}
    """
)
GUIDE = compile_guide(parse_guide_yaml(GUIDE_YAML))


def found(locale: str, text: str) -> list[tuple[str, str]]:
    result = check_fields(GUIDE, "push", {"body": text}, locale=locale)
    return [(f.rule, f.match) for f in result.findings
            if f.kind in ("disallowed_word", "claim") and f.rule != "obfuscated_text"]


CASES = [
    # -- inflections of the locale's language
    ("es-ES", "Botas baratas", [("barato", "baratas")]),
    ("es-ES", "Precios baratos", [("barato", "baratos")]),
    ("es-ES", "una BARATA", [("barato", "BARATA")]),
    ("fr-FR", "Une offre gratuite", [("gratuit", "gratuite")]),
    ("fr-FR", "Des essais gratuits", [("gratuit", "gratuits")]),
    ("fr-FR", "Satisfaction garantie", [("garanti", "garantie")]),
    ("fr-FR", "L'essai gratuit", [("gratuit", "gratuit")]),
    ("de-DE", "Noch günstiger", [("günstig", "günstiger")]),
    ("de-DE", "Günstige Preise", [("günstig", "Günstige"), ("preis", "Preise")]),
    ("it-IT", "Una scelta economica", [("economico", "economica")]),
    ("it-IT", "Campioni gratuiti", [("gratuito", "gratuiti")]),
    ("pt-BR", "Camisas baratas", [("barato", "baratas")]),
    ("nl-NL", "Goedkope schoenen", [("goedkoop", "Goedkope")]),
    ("nl-NL", "Nog goedkoper", [("goedkoop", "goedkoper")]),
    ("nl-NL", "De goedkoopste", [("goedkoop", "goedkoopste")]),
    ("de-DE", "Die günstigsten Preise", [("günstig", "günstigsten"), ("preis", "Preise")]),
    # -- feminine forms the stemmers read apart from the masculine term
    ("fr-FR", "Notre sénatrice préférée", [("sénateur", "sénatrice")]),
    ("fr-FR", "Les SÉNATRICES du Québec", [("sénateur", "SÉNATRICES")]),
    ("fr-FR", "Une vendeuse attentive", [("vendeur", "vendeuse")]),
    ("it-IT", "La senatrice e i senatori", [("senatore", "senatrice"), ("senatore", "senatori")]),
    ("de-DE", "Die Senatorin spricht", [("Senator", "Senatorin")]),
    ("de-DE", "Alle Senatorinnen und Senatoren", [("Senator", "Senatorinnen"), ("Senator", "Senatoren")]),
    ("fr-FR", "La sénatoriale", []),
    # -- absolute superlatives (the stemmers leave them on), spelling changes included
    ("es-ES", "Botas baratísimas", [("barato", "baratísimas")]),
    ("es-ES", "¡BARATÍSIMO!", [("barato", "BARATÍSIMO")]),
    ("es-ES", "Un postre riquísimo", [("rico", "riquísimo")]),
    ("pt-BR", "Tudo baratíssimo", [("barato", "baratíssimo")]),
    ("it-IT", "Un piano economicissimo", [("economico", "economicissimo")]),
    # -- a term with an accent the plural drops (huracán, huracanes): the stemmer reads both
    ("es-ES", "Temporada de huracanes", [("huracán", "huracanes")]),
    ("es-ES", "Un huracan", [("huracán", "huracan")]),
    # -- whole words only
    ("es-ES", "Una baratija", []),
    ("fr-FR", "La gratuité du service", []),
    ("it-IT", "Il papavero", []),
    # -- diacritics: a term written with them matches the text with or without them
    ("es-ES", "Un plan económico", [("económico", "económico")]),
    ("es-ES", "Un plan economico", [("económico", "economico")]),
    ("es-ES", "Planes económicos", [("económico", "económicos")]),
    ("pt-BR", "Frete gratis", [("grátis", "gratis")]),
    ("pt-BR", "Frete grátis", [("grátis", "grátis")]),
    # -- ... a term written without them never matches a word that has them
    ("es-ES", "¡Feliz año nuevo!", []),
    ("es-ES", "Un ano", [("ano", "ano")]),
    ("es-ES", "Peña Nieto", []),
    ("es-ES", "Vale la pena", [("pena", "pena")]),
    ("de-DE", "Ein schönes Wochenende", []),
    ("de-DE", "Schön, dass du da bist", []),
    ("de-DE", "Das ist schon da", [("schon", "schon")]),
    ("fr-FR", "Côte d'Azur", []),
    # the grave accent of a French feminine is inflection, not a different word
    ("fr-FR", "Des bottes pas chères", [("pas cher", "pas chères")]),
    ("fr-FR", "Une veste PAS CHÈRE", [("pas cher", "PAS CHÈRE")]),
    ("fr-FR", "La dernière paire", [("dernier", "dernière")]),
    ("fr-FR", "Les derniers modèles", [("dernier", "derniers")]),
    # French plurals in -x the stemmer reads apart, alone and inside a phrase
    ("fr-FR", "Des jeux pour tous", [("jeu", "jeux")]),
    ("fr-FR", "Après les feux de forêt", [("feu de forêt", "feux de forêt")]),
    ("fr-FR", "Les feux d'artifice", []),
    ("fr-FR", "Une bonne cote", [("cote", "cote")]),
    ("it-IT", "Il papà", []),
    ("pt-BR", "Minha avó", []),
    ("pt-BR", "Meu avô", []),
    # decomposed accents are the same letters
    ("es-ES", "Feliz an\u0303o", []),
    # -- multi-word terms across spaces, hyphens and punctuation
    ("es-ES", "¡Compra ya!", [("compra ya", "Compra ya")]),
    ("es-ES", "compra-ya", [("compra ya", "compra-ya")]),
    ("fr-FR", "Des prix bon marché", [("bon marché", "bon marché")]),
    ("fr-FR", "Des prix bon marche", [("bon marché", "bon marche")]),
    ("de-DE", "Jetzt kaufen!", [("jetzt kaufen", "Jetzt kaufen")]),
    # -- except phrases, also for inflected matches
    ("es-ES", "Envío gratis en todo", []),
    ("es-ES", "Envio gratis y regalo gratis", [("gratis", "gratis")]),
    ("fr-FR", "Livraison gratuite", []),
    ("fr-FR", "Livraison gratuite et cadeau gratuit", [("gratuit", "gratuit")]),
    # -- obfuscation as in English
    ("es-ES", "b4r4t0s", [("barato", "b4r4t0s")]),
    ("es-ES", "b a r a t a", [("barato", "b a r a t a")]),
    ("es-ES", "b.a.r.a.t.o", [("barato", "b.a.r.a.t.o")]),
    ("fr-FR", "gr@tuite", [("gratuit", "gr@tuite")]),
    ("de-DE", "gün$tig", [("günstig", "gün$tig")]),
    ("es-ES", "b\u0430r\u0430to", [("barato", "b\u0430r\u0430to")]),  # Cyrillic а
    ("es-ES", "bar\u200bato", [("barato", "bar\u200bato")]),
    ("nl-NL", "g0edk00p", [("goedkoop", "g0edk00p")]),
    ("de-DE", "Alles 6ratis", [("gratis", "6ratis")]),
    ("fr-FR", "Un cadeau 9ratuit", [("gratuit", "9ratuit")]),
    ("es-ES", "Todo grat¡s hoy", [("gratis", "grat¡s")]),
    ("de-DE", "Alles gün$t!g", [("günstig", "gün$t!g")]),
    ("es-ES", "Botas ba-ra-tas", [("barato", "ba-ra-tas")]),
    ("fr-FR", "Un cadeau gra-tu-it", [("gratuit", "gra-tu-it")]),
    # combining marks stacked as a disguise are not accents
    ("es-ES", "b\u0336a\u0336r\u0336a\u0336t\u0336o\u0336", [("barato", "b\u0336a\u0336r\u0336a\u0336t\u0336o\u0336")]),
    # -- German and Dutch compounds (5+ letter terms, a 4+ letter word beside them)
    ("de-DE", "Gratisversand ab 50 Euro", [("gratis", "Gratisversand")]),
    ("de-DE", "Preisgünstige Stiefel", [("günstig", "Preisgünstige")]),
    ("de-DE", "Der Tiefstpreis", [("preis", "Tiefstpreis")]),
    ("nl-NL", "Gratisverzending vandaag", [("gratis", "Gratisverzending")]),
    ("nl-NL", "Supergoedkope laarzen", [("goedkoop", "Supergoedkope")]),
    ("de-DE", "Freiheit und Freizeit", []),  # 4-letter term: whole words only
    ("de-DE", "Die Preisung", []),  # a derivational suffix is not a second word
    ("de-DE", "Alles frei", [("frei", "frei")]),
    # -- top-level (English) terms still apply in every locale, as English
    ("es-ES", "Cheap boots", [("cheap", "Cheap")]),
    ("de-DE", "so cheaply", []),
    # -- other locales do not get these terms
    ("en-US", "Botas baratas, gratuit, günstig", []),
]


@pytest.mark.parametrize(("locale", "text", "expected"), CASES)
def test_it_matches_terms_as_the_locale_language(locale: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(locale, text) == expected


def test_it_reports_a_locale_term_and_a_top_level_term_of_one_topic_once() -> None:
    guide = compile_guide(parse_guide_yaml(
        "slug: t\nname: T\ntaboo_topics:\n  - {name: politics, terms: [election]}\n"
        "locales:\n  en-US: {}\n  fr-FR:\n    taboo_topics:\n      - {name: politics, terms: [élection]}\n"
    ))
    result = check_fields(guide, "push", {"body": "Les élections"}, locale="fr-FR")
    assert [(f.rule, f.match) for f in result.findings] == [("politics", "élections")]


def test_a_guide_in_another_base_language_matches_its_top_level_terms_in_it() -> None:
    guide = compile_guide(parse_guide_yaml("slug: t\nname: T\nlanguage: es\ndisallowed:\n  - {term: barato}\n"))
    assert guide.default_locale == "es"
    result = check_fields(guide, "push", {"body": "Son baratas, no ano"})
    assert [(f.rule, f.match) for f in result.findings] == [("barato", "baratas")]


SCRIPTS = st.sampled_from([
    "barato", "BARATAS", "económico", "año", "günstiger", "Gratisversand", "gratuite", "l'offre", "ß", "Straße",
    "ΣΊΣΥΦΟΣ", "Привет", "مرحبا", "שלום", "你好", "こんにちは", "한국어", "हिन्दी", "🎉", "👩\u200d👩\u200d👧",
    "e\u0301", "\u200b", "\u202e", "  ", "-", "!", "İ", "ǅ", "ﬁ", "Ⅻ", "b4r4t0", "b a r a t o",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(SCRIPTS, min_size=1, max_size=12), st.sampled_from(GUIDE.locales))
def test_spans_index_the_original_text_in_every_script(parts: list[str], locale: str) -> None:
    text = " ".join(parts)
    if not text.strip():
        return
    result = check_fields(GUIDE, "push", {"body": text}, locale=locale)
    for f in result.findings:
        assert 0 <= f.start <= f.end <= len(text)
        assert f.match == text[f.start:f.end]


PHRASE_GUIDE = compile_guide(parse_guide_yaml(textwrap.dedent(
    """\
    slug: phrases
    name: Phrases
    locales:
      es-ES:
        disallowed:
          - {term: "oferta limitada"}
          - {term: gratis, except: ["envío gratis"]}
      fr-FR:
        disallowed:
          - {term: "dernière chance"}
      de-DE:
        disallowed:
          - {term: "letzte Chance"}
    """
)))


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        ("es-ES", "Una oferta limitada", [("oferta limitada", "oferta limitada")]),
        ("es-ES", "Ofertas limitadas hoy", [("oferta limitada", "Ofertas limitadas")]),
        ("es-ES", "ofertas-limitadas", [("oferta limitada", "ofertas-limitadas")]),
        ("es-ES", "Una oferta muy limitada", []),
        ("es-ES", "Envíos gratis siempre", []),  # the except phrase, inflected
        ("es-ES", "Envíos gratis y muestras gratis", [("gratis", "gratis")]),
        ("fr-FR", "Dernières chances !", [("dernière chance", "Dernières chances")]),
        ("fr-FR", "Derniere chance", [("dernière chance", "Derniere chance")]),
        ("de-DE", "Letzte Chancen", [("letzte Chance", "Letzte Chancen")]),
        ("de-DE", "Die letzten Chancen", [("letzte Chance", "letzten Chancen")]),
    ],
)
def test_phrases_match_inflected_word_by_word(locale: str, text: str, expected: list[tuple[str, str]]) -> None:
    result = check_fields(PHRASE_GUIDE, "push", {"body": text}, locale=locale)
    assert [(f.rule, f.match) for f in result.findings if f.kind == "disallowed_word"] == expected
