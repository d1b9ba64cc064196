"""Model output is untrusted: an XSS corpus from the (fake) OpenAI server and from an editor's keyboard goes
through generation, the draft page, the review queue, the brief grid and the API, and nothing executes in Chromium.
Every page carries the strict Content-Security-Policy."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.fake_openai import variants_reply
from tests.pipeline import make_brief
from tests.project.test_security_matrix import build_world, concrete_path, matrix_key, url_patterns
from workbench.access import SYSTEM
from workbench.checks.models import finding_key
from workbench.generation import actions
from workbench.generation.models import Draft
from workbench.generation.services import run_job
from workbench.journeys.actions import api_client_create, journey_create, journey_step_create, publication_create
from workbench.middleware import CONTENT_SECURITY_POLICY
from workbench.review import actions as review

CHROMIUM = Path("/usr/bin/chromium")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Each payload tries to set window.__pwned and the page title; none may succeed.
PAYLOADS = [
    "<script>window.__pwned='script';document.title='pwned'</script>",
    "<img src=x onerror=\"window.__pwned='onerror';document.title='pwned'\">",
    "<a href=\"javascript:window.__pwned='js-link'\">click me</a>",
    "<svg onload=\"window.__pwned='svg'\"><script>window.__pwned='svg-script'</script></svg>",
    "<div style=\"width:expression(window.__pwned='css');background:url(javascript:window.__pwned='css-url')\">css</div>",
    "<img src=x onerror=window.__pwned='broken' <b>unclosed",
    "\"><script>window.__pwned='attr-break'</script>",
    "</textarea><script>window.__pwned='textarea-break'</script>",
    "<iframe src=\"javascript:parent.__pwned='iframe'\"></iframe>",
    "&lt;script&gt;window.__pwned='entity'&lt;/script&gt;",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned='mxss'>",
    "<body onload=window.__pwned='body'>",
    "{{ 7*7 }} {% debug %} ${7*7}",
]
SUBJECT = "<img src=x onerror=window.__pwned='subject'>Boots"


def email_variant(index: int) -> dict[str, str]:
    body = " ".join(PAYLOADS[index::2]) + " Walk further. {{ unsubscribe_url }}"
    return {"subject": SUBJECT, "preheader": PAYLOADS[(index + 3) % len(PAYLOADS)], "body": body}


def test_the_corpus_is_sanitised_before_storage_through_generation(brand, prompt, segments, marketer, fake_openai):
    drafts = generate_hostile(brand, prompt, segments, marketer, fake_openai)
    for draft in drafts:
        stored = " ".join(draft.latest_version().fields.values()).lower()
        for marker in ("<script", "onerror", "onload", "javascript:", "<iframe", "<svg", "expression(", "<img", "<style"):
            assert marker not in stored, f"{marker!r} survived sanitising in draft {draft.pk}"


def generate_hostile(brand, prompt, segments, marketer, fake_openai) -> list[Draft]:  # type: ignore[no-untyped-def]
    fake_openai.enqueue(variants_reply([email_variant(0), email_variant(1)]))
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=2, title="<script>window.__pwned='brief'</script>Spring")
    run = actions.generation_start(brief, acting_user=marketer, provider="openai", enqueue=False)
    for job in run.jobs.all():
        run_job(job.pk)
    drafts = list(Draft.objects.filter(brief=brief).order_by("variant"))
    assert len(drafts) == 2
    return drafts


# --- in a real browser ------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-background-networking"])
        yield browser
        browser.close()


NOTHING_RAN = """() => ({
    pwned: window.__pwned === undefined ? null : String(window.__pwned),
    title: document.title,
    inlineScripts: document.querySelectorAll('script:not([src])').length,
    handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
    jsLinks: [...document.querySelectorAll('[href],[src],[action],[formaction]')].map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || e.getAttribute('formaction')).filter(v => /^\\s*javascript:/i.test(v)),
    styled: document.querySelectorAll('main [style]').length,
})"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_nothing_executes_on_the_draft_page_queue_and_brief_grid(chromium, live_server, brand, prompt, segments, marketer, reviewer, publisher, admin_user, fake_openai):
    drafts = generate_hostile(brand, prompt, segments, marketer, fake_openai)
    typed = dict(drafts[1].latest_version().fields, body=" ".join(PAYLOADS) + " {{ unsubscribe_url }}", subject=SUBJECT)
    actions.draft_edit(drafts[1], fields=typed, base_version=1, acting_user=marketer)
    for draft in drafts:
        actions.draft_submit(draft, acting_user=marketer)
    review.review_reject(drafts[0], version_number=1, reason="<script>window.__pwned='reason'</script> too loud", acting_user=reviewer)
    actions.draft_submit(drafts[0], acting_user=marketer)

    context = chromium.new_context(base_url=live_server.url)
    dialogs: list[str] = []
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_default_timeout(10_000)

    def log_in(username: str) -> None:
        context.clear_cookies()
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")

    brief_id = drafts[0].brief_id
    # The reviewer walks the screens; the audit log (where the payloads are recorded too) is read by an admin.
    walks = [(reviewer.username, path) for path in (f"/drafts/{drafts[0].pk}/", f"/drafts/{drafts[1].pk}/", "/review/", f"/briefs/{brief_id}/", "/briefs/")]
    walks.append((admin_user.username, "/audit/"))
    walks.append((reviewer.username, f"/drafts/{drafts[1].pk}/"))
    current = None
    for username, path in walks:
        if username != current:
            log_in(username)
            current = username
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert response.headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, path
        page.wait_for_timeout(150)  # let any onload/onerror fire
        seen = page.evaluate(NOTHING_RAN)
        assert seen["pwned"] is None, f"{path}: payload ran ({seen['pwned']})"
        assert seen["title"] != "pwned", path
        assert seen["inlineScripts"] == 0, path
        assert seen["handlers"] == [], f"{path}: {seen['handlers']}"
        assert seen["jsLinks"] == [], f"{path}: {seen['jsLinks']}"
        assert seen["styled"] == 0, path
    # The payload text is shown as text, not swallowed: the reviewer sees what the model tried.
    page.goto(f"/drafts/{drafts[1].pk}/")
    assert "window.__pwned" in page.locator("main").inner_text()
    for link in page.locator("main a").all():
        href = link.get_attribute("href") or ""
        assert not href.strip().lower().startswith("javascript:")
    assert dialogs == []
    context.close()


@pytest.mark.django_db
def test_the_api_returns_the_sanitised_text_as_json(client, brand, prompt, segments, marketer, reviewer, publisher, fake_openai):
    draft = generate_hostile(brand, prompt, segments, marketer, fake_openai)[0]
    actions.draft_submit(draft, acting_user=marketer)
    for finding in review.unresolved_blocks(draft.latest_version()):
        review.finding_override(draft.latest_version(), key=finding_key(finding), justification="Test corpus, shipped on purpose.", acting_user=reviewer)
    review.review_approve(draft, version_number=1, acting_user=reviewer)
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="email", name="Email", channel="email", default_segment=segments["new"], acting_user=publisher)
    publication_create(step, version=draft.latest_version(), acting_user=publisher)
    _, token = api_client_create(name="engine", journeys=[journey], acting_user=SYSTEM)
    response = client.get(f"/api/v1/journeys/welcome/steps/email/content?segment={segments['new'].slug}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    fields = response.json()["fields"]
    text = " ".join(fields.values()).lower()
    assert "<script" not in text and "onerror" not in text and "javascript:" not in text


@pytest.mark.django_db
def test_every_page_carries_the_strict_csp(brand, prompt, segments):
    world = build_world(brand, prompt, segments)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["superuser"])
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "object-src 'none'" in CONTENT_SECURITY_POLICY
    missing = []
    for key in sorted({k for k in (matrix_key(p) for p in url_patterns()) if k}):
        path = concrete_path(key, world)
        for response in (client.get(path), client.post(path, {}), Client().get(path)):
            if response.get("Content-Security-Policy") != CONTENT_SECURITY_POLICY:
                missing.append(f"{response.request['REQUEST_METHOD']} {path} ({response.status_code})")
    assert not missing, "pages without the strict CSP: " + ", ".join(missing)
