"""The offline stand-in composes within each channel's limits and never cuts mid-phrase."""

from __future__ import annotations

import itertools
import random

import pytest

from workbench.checks.engine import CHANNEL_FIELDS, check_fields, compile_guide
from workbench.generation import offline_writer
from workbench.generation.providers import rewrite_offline

KEY_MESSAGES = [
    "Our winter favourites are back in all colours, sizes and fits, with warmer linings than last year.",
    "Guess what's back.",
    "The Alpine parka keeps you warm down to minus twenty, packs into its own pocket and weighs under a kilo.",
    "We're sorry your order arrived late; a replacement is on its way and the delivery charge has been refunded.",
    "Spring trail runners have landed. They grip on wet rock, drain fast and come in six colours.",
    "Your loyalty points are waiting",
    "Everything you need for a weekend in the hills: tents, stoves, sleeping bags and the maps to find your spot.",
    "Meet the redesigned Summit pack, rebuilt from the frame up after two years of testing on long-distance trails.",
]
CTAS = ["Shop the collection", "See what's new", "Track your order", "Find your size and colour today", "Explore"]
OFFERS = ["", "Members get 10% off this week", "Free returns on every order, no questions asked and no time limit"]
LIMITS = [
    {"email": {"subject_max_chars": 30, "preheader_max_chars": 40, "body_max_chars": 400},
     "sms": {"max_segments": 1}, "push": {"title_max_chars": 25, "body_max_chars": 60},
     "in_app": {"title_max_chars": 20, "body_max_chars": 80, "cta_max_chars": 12}},
    {"email": {"subject_max_chars": 60, "preheader_max_chars": 100, "body_max_chars": 5000},
     "sms": {"max_segments": 2}, "push": {"title_max_chars": 40, "body_max_chars": 120},
     "in_app": {"title_max_chars": 40, "body_max_chars": 200, "cta_max_chars": 20}},
]
REQUIRED = {"sms": ["Reply STOP to opt out"], "email": ["{{ unsubscribe_url }}"]}


def context(channel: str, key_message: str, cta: str, offer: str, limits: dict, slug: str) -> dict:
    return {
        "brand": {"name": "Northwind", "slug": "northwind"},
        "segment": {"slug": slug},
        "brief": {"key_message": key_message, "call_to_action": cta, "offer": offer},
        "channel": {"name": channel, "fields": list(CHANNEL_FIELDS[channel]), "limits": limits[channel]},
        "required": REQUIRED.get(channel, []),
    }


def length_findings(limits: dict, channel: str, fields: dict[str, str]) -> list[tuple[str, str, str]]:
    guide = compile_guide({"slug": "n", "name": "Northwind", "channels": limits, "required": REQUIRED,
                           "merge_fields": ["first_name", "unsubscribe_url"]})
    result = check_fields(guide, channel, fields)
    return [(f.field, f.rule, f.match) for f in result.findings if f.kind in ("length", "required_text")]


@pytest.mark.parametrize("channel", list(CHANNEL_FIELDS))
@pytest.mark.parametrize("limits", LIMITS)
def test_it_writes_nothing_cut_off_or_over_a_limit(channel: str, limits: dict) -> None:
    rng = random.Random(7)
    for key_message, cta, offer in itertools.product(KEY_MESSAGES, CTAS, OFFERS):
        ctx = context(channel, key_message, cta, offer, limits, rng.choice(["loyal", "new", "lapsed"]))
        for fields in offline_writer.write_variants(channel, ctx, 3, rng.randrange(5)):
            assert set(fields) == set(CHANNEL_FIELDS[channel])
            assert all(text.strip() for text in fields.values()), fields
            assert length_findings(limits, channel, fields) == [], fields


def test_it_keeps_whole_sentences_and_drops_the_ones_that_do_not_fit() -> None:
    fits = offline_writer.within(40)
    assert offline_writer.shorten("Boots are back. They come in six colours.", fits) == "Boots are back."
    assert offline_writer.shorten("Our winter favourites are back in all colours, sizes and fits", fits) == \
        "Our winter favourites are back"


def test_it_keeps_the_sms_opt_out_within_its_parts() -> None:
    ctx = context("sms", KEY_MESSAGES[2], CTAS[3], OFFERS[2], LIMITS[0], "loyal")
    [fields] = offline_writer.write_variants("sms", ctx, 1, 0)
    assert fields["body"].endswith("Reply STOP to opt out")
    assert "..." not in fields["body"] and "…" not in fields["body"]


def test_it_never_cuts_a_shorter_rewrite_mid_phrase() -> None:
    ctx = context("push", KEY_MESSAGES[0], CTAS[0], "", LIMITS[1], "loyal")
    current = {"title": "Back in all colours", "body": KEY_MESSAGES[0] + " " + KEY_MESSAGES[2]}
    rewritten = rewrite_offline(current, "shorter", ctx)
    assert len(rewritten["body"]) < len(current["body"])
    assert length_findings(LIMITS[1], "push", rewritten) == []


@pytest.mark.parametrize(("language", "headline"), [
    # the last word begins an English word (listowel, icicle): read in English it would be dropped as a fragment
    ("es", "Tu cambio está listo"),
    ("fr", "Votre randonnée commence ici"),
])
def test_a_localised_headline_is_read_in_its_own_language(language: str, headline: str) -> None:
    assert offline_writer.shorten(headline, offline_writer.within(45), language=language) == headline
    assert offline_writer.shorten(headline, offline_writer.within(45)) != headline


@pytest.mark.parametrize(("language", "sentence", "limit", "shortened"), [
    ("es", "Nuevas botas para la montaña y la ciudad", 30, "Nuevas botas para la montaña"),  # not "... montaña y"
    ("de", "Die neue Kollektion für den Winter ist da", 24, "Die neue Kollektion"),  # not "... Kollektion für"
])
def test_a_localised_text_is_not_shortened_to_a_word_its_language_never_ends_on(
    language: str, sentence: str, limit: int, shortened: str
) -> None:
    assert offline_writer.shorten(sentence, offline_writer.within(limit), language=language) == shortened
