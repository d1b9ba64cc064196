"""Any stored value renders: the audit page, its history pages, its exports and the users page never answer
500 because of what an event or a user holds (append-only events would make such a 500 permanent)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from workbench.accounts.models import Role, User
from workbench.audit import keys
from workbench.audit.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db

ODD_VALUES = [
    "a/b", "/", "../..", "a b  c", " ", "", "?x=1&y=#z", "%2F%00", "line\nbreak", "tab\there",
    "\u202eevil\u202c", "\u2066isolate\u2069", "\u200f\u200e", "zero\u200bwidth", "emoji 👩‍👩‍👧", "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>", "{{ 7|add:7 }}", "x" * 10_000, "ab/" * 3_000,
]
# Values only a JSON column can hold (a text column refuses them at the database): stored in `changes`.
UNENCODABLE = ["lone \ud800 surrogate", "\udfff", "pair-split \ud83d", "nul \x00 byte"]


def fits(value: str, field: str) -> str:
    """SQLite stores text longer than its column (as an older version may have done); PostgreSQL refuses it."""
    if connection.vendor == "sqlite":
        return value
    return value[: AuditEvent._meta.get_field(field).max_length]


def store_directly(values: list[str]) -> None:
    """Write events by hand, as an old version, a bug or someone with database access could have."""
    head = AuditHead.objects.get_or_create(pk=1, defaults=keys.genesis_fields())[0]
    prev, seq = head.hash, head.seq
    for value in values:
        seq += 1
        event = AuditEvent(
            seq=seq, created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), actor_type="user", actor_id=fits(value, "actor_id"),
            actor_label=fits(value, "actor_label"), action="user.login_failed", object_type=fits(value, "object_type") or "x",
            object_id=fits(value, "object_id"), changes={"username": value, value: [value]},
            request_id=fits(value, "request_id"), client_request_id=fits(value, "client_request_id"), ip=fits(value, "ip"), prev_hash=prev,
        )
        event.hash = event.compute_hash(scheme=2, key=keys.audit_key())
        event.save(force_insert=True)
        prev = event.hash
    if connection.vendor == "sqlite":  # PostgreSQL's jsonb refuses lone surrogates and NUL itself
        seq, prev = seq + 1, store_unencodable(seq + 1, prev)
    AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev, head_seal=keys.head_seal(seq, prev))


def store_unencodable(seq: int, prev: str) -> str:
    unencodable = AuditEvent(
        seq=seq, created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), actor_type="system", actor_label="system",
        action="user.login_failed", object_type="accounts.user", object_id="?", changes={"username": UNENCODABLE, "k\ud800": 1},
        request_id="", ip="", prev_hash=prev, hash="f" * 64,
    )
    unencodable.save(force_insert=True)
    return unencodable.hash


def assert_renders(client: Client, url: str, params: dict[str, str] | None = None) -> bytes:
    response = client.get(url, params or {})
    assert response.status_code == 200, f"{url} {params!r}: {response.status_code}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    body.decode("utf-8")  # encodable: no lone surrogate reached the response
    return body


def test_the_audit_page_history_and_exports_render_every_stored_value(client, admin_user):
    store_directly(ODD_VALUES)
    client.force_login(admin_user)
    page = assert_renders(client, reverse("audit_log")).decode()
    assert "&lt;script&gt;" in page and "<script>alert(1)" not in page
    assert "<bdi>\u202eevil\u202c</bdi>" in page, "bidi controls are isolated so they cannot reorder the row"
    for number in (1, 2):
        assert_renders(client, reverse("audit_log"), {"page": str(number)})
    for value in ODD_VALUES:
        assert_renders(client, reverse("audit_log"), {"actor": value[:150], "object_id": value[:64]})
    # Every link on the page to an object's history opens.
    for event in AuditEvent.objects.all():
        from workbench.audit.templatetags.audit import history_url

        url = history_url(event)
        if url:
            assert client.get(url).status_code == 200, url
    csv_rows = list(csv.DictReader(io.StringIO(assert_renders(client, reverse("audit_export", args=["csv"])).decode())))
    assert csv_rows[0]["actor_label"] == "a/b"
    if connection.vendor == "sqlite":
        assert "\ufffd" in csv_rows[len(ODD_VALUES)]["changes"]
    lines = assert_renders(client, reverse("audit_export", args=["jsonl"])).decode().splitlines()
    exported = [json.loads(line) for line in lines]
    assert [e["changes"]["username"] for e in exported[: len(ODD_VALUES)]] == ODD_VALUES, "the JSONL export keeps every value exactly"
    if connection.vendor == "sqlite":
        assert exported[len(ODD_VALUES)]["changes"]["username"] == UNENCODABLE, "lone surrogates survive the JSONL export as escapes"


def test_a_failed_login_with_an_odd_username_leaves_the_audit_page_working(admin_user):
    for username in ("a/b", "\u202eadmin", "x" * 150, "a b", "..", "%2F"):
        Client().post(reverse("login"), {"username": username, "password": "not-it"})
    client = Client()
    client.force_login(admin_user)
    page = assert_renders(client, reverse("audit_log"), {"action": "user.login_failed"}).decode()
    assert page.count("user.login_failed") >= 6
    assert_renders(client, reverse("audit_export", args=["csv"]), {"action": "user.login_failed"})


def test_record_stores_unencodable_text_as_replacement_characters(admin_user):
    from django.db import transaction

    from workbench.audit.log import record, verify_chain
    from workbench.audit.models import Action

    with transaction.atomic():
        event = record(Action.USER_LOGIN_FAILED, ("accounts.user", "x\ud800"), actor=None, changes={"username": "a\ud800\x00b"})
    event.refresh_from_db()
    assert (event.object_id, event.changes) == ("x\ufffd", {"username": "a\ufffd\ufffdb"})
    assert verify_chain().ok


def test_the_users_page_renders_odd_usernames(client, admin_user):
    # SQLite stores what it is given; PostgreSQL holds a username to its 150-character column.
    longest = "y" * (10_000 if connection.vendor == "sqlite" else 150)
    for index, name in enumerate(["a/b", "\u202eadmin", longest, "a b", "<b>bold</b>"]):
        User.objects.create_user(username=name, password="x" * 16, role=Role.MARKETER, first_name=f"odd{index}")
    client.force_login(admin_user)
    body = assert_renders(client, reverse("user_list")).decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in body


def test_pages_that_show_actors_render_odd_usernames(client, brand, prompt, segments, admin_user):
    """Authors, reviewers and publishers appear on briefs, drafts, the queue and journeys by name."""
    from tests.pipeline import submitted_draft
    from workbench.journeys.actions import journey_create, journey_step_create, publication_create
    from workbench.review import actions as review

    odd = "a/b \u202eevil\u202c " + "z" * 10_000 if connection.vendor == "sqlite" else "a/b \u202eevil\u202c"
    author = User.objects.create_user(username=odd, password="x" * 16, role=Role.MARKETER)
    reviewer = User.objects.create_user(username=odd[::-1], password="x" * 16, role=Role.REVIEWER)
    publisher = User.objects.create_user(username="../" + odd[:100], password="x" * 16, role=Role.PUBLISHER)
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="email", name="Email", channel="email", default_segment=segments["new"], acting_user=publisher)
    draft = submitted_draft(brand, prompt, segments["new"], author)
    review.review_approve(draft, version_number=1, acting_user=reviewer)
    publication_create(step, version=draft.latest_version(), acting_user=publisher)
    client.force_login(admin_user)
    for url in (reverse("home"), reverse("brief_list"), reverse("brief_detail", args=[draft.brief_id]), reverse("draft_detail", args=[draft.pk]),
                reverse("review_queue"), reverse("step_detail", args=["welcome", "email"]), reverse("audit_log"),
                reverse("audit_object", args=["generation.draft", draft.pk]), reverse("user_list")):
        assert_renders(client, url)
    client.force_login(author)
    assert_renders(client, reverse("home"))
