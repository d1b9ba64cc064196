"""PII, merge fields, links and required text."""

from __future__ import annotations

import pytest

from workbench.checks.engine import CompiledGuide, check_fields
from workbench.checks.engine.structural import find_bad_links, find_pii


def kind(guide: CompiledGuide, k: str, text: str, channel: str = "push") -> list[tuple[str, str]]:
    result = check_fields(guide, channel, {"body": text})
    out = []
    for f in result.findings:
        assert text[f.start:f.end] == f.match
        if f.kind == k:
            assert f.severity == "block"
            out.append((f.rule, f.match))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to bob.smith@example.com today", [("email", "bob.smith@example.com")]),
        ("Write to HELP@northwind.example", []),  # a guide contact, any case
        ("Call 555-123-4567", [("phone", "555-123-4567")]),
        ("Call (555) 123-4567 now", [("phone", "(555) 123-4567")]),
        ("Call +44 20 7946 0958", [("phone", "+44 20 7946 0958")]),
        ("Call 5551234567", [("phone", "5551234567")]),
        ("Call +1 555 0100", []),  # the guide's contact
        ("Call 555 0100", []),  # same contact by digits, no country code
        ("Call 1-555-0100", []),
        ("Card 4111 1111 1111 1111", [("card", "4111 1111 1111 1111")]),
        ("Card 4111-1111-1111-1111", [("card", "4111-1111-1111-1111")]),
        ("Card 4111111111111111", [("card", "4111111111111111")]),
        ("Ref 4111 1111 1111 1112", []),  # fails Luhn, and too long for a phone
        ("SSN 123-45-6789 on file", [("ssn", "123-45-6789")]),  # 3-2-4: a Social Security number, not a phone
        ("Your SSN: 123 45 6789", [("ssn", "123 45 6789")]),
        ("Call 666-12-3456", [("phone", "666-12-3456")]),  # never issued as an SSN; the phone reading stands
        ("Order 123-45-6789-1 ships", []),  # part of a longer reference
        ("Order #12345678 ships 2024-01-15", []),
        ("Sizes 8 10 12 14 in stock", []),
        ("Was $129.99, now 15.01.2024", []),
        ("Open 9:00-17:30", []),
        # European numbers in short groups
        ("Appelez le 06 12 34 56 78", [("phone", "06 12 34 56 78")]),
        ("Appelez le 01.23.45.67.89", [("phone", "01.23.45.67.89")]),
        ("Bel 0470 12 34 56", [("phone", "0470 12 34 56")]),
        ("Llama al 612 345 678", [("phone", "612 345 678")]),
        ("Llama al 91 123 45 67", [("phone", "91 123 45 67")]),
        ("Tallas 36 38 40 42 44", []),
        ("Sizes 10 12 14 16 18", []),
        # a number named as an order, invoice or reference is none
        ("Votre commande n° 4821-7730 arrive", []),
        ("Bestellnummer: 0151 23456789", []),
        ("Pedido #555 123 4567", []),
        ("Invoice 555-123-4567 attached", []),
        # bank accounts and national ids, by their check digits
        ("Überweisen an DE89 3704 0044 0532 0130 00 bitte", [("iban", "DE89 3704 0044 0532 0130 00")]),
        ("IBAN: FR1420041010050500013M02606", [("iban", "FR1420041010050500013M02606")]),
        ("Code DE89 3704 0044 0532 0130 02 wrong", []),  # fails mod 97
        ("Tu DNI 12345678Z verificado", [("national_id", "12345678Z")]),
        ("NIE X1234567L en regla", [("national_id", "X1234567L")]),
        ("Ref 12345678A", []),  # wrong check letter
        ("NIR 1 85 05 78 006 084 91 enregistré", [("national_id", "1 85 05 78 006 084 91")]),
        ("NIR 2 69 05 2A 123 456 88", [("national_id", "2 69 05 2A 123 456 88")]),  # Corsica
        ("NIR 1 85 05 78 006 084 36", []),  # wrong key
    ],
)
def test_pii(northwind: CompiledGuide, text: str, expected: list) -> None:
    assert kind(northwind, "pii", text) == expected


def test_pii_suggests_guide_contact(northwind: CompiledGuide) -> None:
    result = check_fields(northwind, "push", {"body": "mail me@example.com"})
    [f] = [f for f in result.findings if f.kind == "pii"]
    assert f.suggestion == "help@northwind.example"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi {{ first_name }}", []),
        ("Hi {{first_name}}", []),
        ("Hi {{ coupon_code }}", [("coupon_code", "{{ coupon_code }}")]),
        ("Hi {{ first_name }", [("malformed", "{{ first_name }")]),
        ("Hi {first_name}}", [("malformed", "{first_name}}")]),
        ("Hi {{}}", [("malformed", "{{}}")]),
        ("Hi {{ first name }}", [("malformed", "{{ first name }}")]),
        ("Hi { first_name }", [("malformed", "{ first_name }")]),
        ("Hi }} there {{", [("malformed", "}}"), ("malformed", "{{")]),
        ("{% if vip %}Hi{% endif %}", [("malformed", "{% if vip %}"), ("malformed", "{% endif %}")]),
    ],
)
def test_merge_fields(northwind: CompiledGuide, text: str, expected: list) -> None:
    assert kind(northwind, "merge_field", text) == expected


def test_merge_field_suggestions(northwind: CompiledGuide) -> None:
    result = check_fields(northwind, "push", {"body": "Hi {{ frist_name }} and {{ first_name }"})
    got = [(f.rule, f.suggestion) for f in result.findings if f.kind == "merge_field"]
    assert got == [("frist_name", "{{ first_name }}"), ("malformed", "{{ first_name }}")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See https://northwind.example/boots", []),
        ("See https://shop.northwind.example/boots?x=1.", []),
        ("See www.northwind.example.", []),
        ("See HTTPS://NORTHWIND.EXAMPLE:443/x", []),
        ("Your cart: {{ cart_url }}", []),
        ("See https://evil.com/boots", [("evil.com", "https://evil.com/boots")]),
        ("See http://northwind.example.evil.com/x", [("northwind.example.evil.com", "http://northwind.example.evil.com/x")]),
        ("See https://northwind-example.com", [("northwind-example.com", "https://northwind-example.com")]),
        ("See https://evilnorthwind.example", [("evilnorthwind.example", "https://evilnorthwind.example")]),
        ("See https://northwind.example@evil.com/x", [("evil.com", "https://northwind.example@evil.com/x")]),
        ("See www.evil.com/deal!", [("www.evil.com", "www.evil.com/deal")]),
        ("(https://evil.com)", [("evil.com", "https://evil.com")]),
    ],
)
def test_links(northwind: CompiledGuide, text: str, expected: list) -> None:
    assert kind(northwind, "link", text) == expected


def test_userinfo_link_is_one_link_finding_not_pii(northwind: CompiledGuide) -> None:
    result = check_fields(northwind, "push", {"body": "https://northwind.example@evil.com"})
    assert [f.kind for f in result.findings] == ["link"]
    assert "actually points to evil.com" in result.findings[0].message


def test_required_text_per_channel(northwind: CompiledGuide) -> None:
    ok = check_fields(northwind, "sms", {"body": "Boots shipped. reply  stop to\nopt out"})
    assert [f for f in ok.findings if f.kind == "required_text"] == []
    missing = check_fields(northwind, "sms", {"body": "Boots shipped."})
    [f] = [f for f in missing.findings if f.kind == "required_text"]
    assert f.to_dict() == {
        "kind": "required_text", "rule": "Reply STOP to opt out", "severity": "block", "field": "body",
        "start": 14, "end": 14, "match": "",
        "message": "Required text is missing: every sms message must include \"Reply STOP to opt out\"",
        "suggestion": "Reply STOP to opt out",
    }
    assert not missing.passed


def test_required_text_may_be_in_any_field(northwind: CompiledGuide) -> None:
    result = check_fields(northwind, "email", {"subject": "Hi", "preheader": "{{unsubscribe_url}}", "body": "Yo"})
    assert [f for f in result.findings if f.kind == "required_text"] == []
    result = check_fields(northwind, "push", {"body": "No requirement for push"})
    assert result.passed


@pytest.mark.parametrize("text", [
    "Write to bob (at) gmail (dot) com",
    "Write to bob[at]gmail[dot]com",
    "Write to bob {AT} gmail.com",
    "Write to bob@gmail[dot]com",
])
def test_it_finds_an_address_with_at_and_dot_spelled_out(text: str) -> None:
    [raw] = find_pii(text, frozenset(), (), None, None)
    assert raw[0] == "email" and text[raw[1]:raw[2]].startswith("bob")


@pytest.mark.parametrize("text", [
    "Meet us (at) the store.", "Look at this (dot) com thing", "help (at) northwind (dot) example",
])
def test_spelled_out_words_alone_or_a_contact_address_are_not_personal_data(text: str) -> None:
    assert find_pii(text, frozenset({"help@northwind.example"}), (), None, None) == []


@pytest.mark.parametrize(("text", "host"), [
    ("Deals at evil.example/deal today", "evil.example"),
    ("Shop bit.ly/3xYz now", "bit.ly"),
])
def test_a_bare_domain_with_a_path_is_a_link(text: str, host: str) -> None:
    assert [r[0] for r in find_bad_links(text, ("northwind.example",))] == [host]


@pytest.mark.parametrize("text", [
    "Open 24/7 and/or online", "Save 1.5/month", "Mr./Mrs. Smith", "U.S./Canada only", "northwind.example/boots",
])
def test_slashes_that_are_not_links_and_allowed_bare_links_pass(text: str) -> None:
    assert find_bad_links(text, ("northwind.example",)) == []


@pytest.mark.parametrize("text", ["Email bob\uff20gmail.com", "Email bob@gmail\uff0ecom", "Email bob@gm\u0430il.com",
                                  "Email bob@gm\u200bail.com"])
def test_an_address_in_compatibility_or_look_alike_characters_is_found_in_the_original(text: str) -> None:
    from workbench.checks.engine import compile_guide

    result = check_fields(compile_guide({"slug": "t", "name": "T"}), "push", {"body": text})
    [finding] = [f for f in result.findings if f.kind == "pii"]
    assert finding.match == text[len("Email "):]
