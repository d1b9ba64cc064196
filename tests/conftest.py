"""Shared fixtures: personas, a brand with its guide, and helpers that walk the pipeline."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.browser import CHROMIUM, WIDTHS, log_in
from tests.journeys_setup import Live
from tests.pipeline import approved_draft
from tests.worker import WorkerProcess, purge_broker
from workbench.access import SYSTEM
from workbench.accounts.models import Role, User
from workbench.brand.actions import guide_version_create, prompt_version_create, segment_save
from workbench.brand.models import Brand, PromptTemplate, Segment
from workbench.journeys import actions as journey_actions
from workbench.journeys import livecache

pytest_plugins = ["tests.fake_openai"]

PASSWORD = "correct-horse-battery-staple"


def pytest_configure() -> None:
    # Tables are flushed between transactional tests; the audit table's
    # append-only triggers let only this flag through (see audit/apps.py).
    settings.COPYDESK_AUDIT_MAINTENANCE = True
    # Strong hashing is for production; the suite creates many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`./copydesk test` runs in two passes: all but the `serial` tests in parallel, then those alone."""
    test_pass = os.environ.get("COPYDESK_TEST_PASS")
    if test_pass not in ("parallel", "serial"):
        return
    keep = [item for item in items if (item.get_closest_marker("serial") is not None) == (test_pass == "serial")]
    if len(keep) < len(items):
        kept = set(keep)
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = keep


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """One test database per pytest process, so two runs on one machine never share (and break) one."""
    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    if db["ENGINE"].endswith("sqlite3"):
        base = Path(test.get("NAME") or Path(db["NAME"]).with_name("test-copydesk.sqlite3"))
        test["NAME"] = str(base.with_name(f"{base.stem}-{os.getpid()}{base.suffix}"))
    else:
        test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_{os.getpid()}"


@pytest.fixture(autouse=True)
def _fresh_compiled_guides() -> Iterator[None]:
    # Guide versions are immutable in use, but a rolled-back test can leave an id
    # that the next test reuses for a different guide; the per-process cache must not carry over.
    from workbench.checks.services import _compiled

    _compiled.cache_clear()
    yield


@pytest.fixture(autouse=True)
def _no_axes_lockouts_between_tests(settings):  # type: ignore[no-untyped-def]
    settings.AXES_ENABLED = True
    yield


def make_user(username: str, role: Role) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, first_name=username.capitalize())


@pytest.fixture
def marketer(db: None) -> User:
    return make_user("maya", Role.MARKETER)


@pytest.fixture
def reviewer(db: None) -> User:
    return make_user("riley", Role.REVIEWER)


@pytest.fixture
def reviewer2(db: None) -> User:
    return make_user("sam", Role.REVIEWER)


@pytest.fixture
def publisher(db: None) -> User:
    return make_user("pat", Role.PUBLISHER)


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user("ada", Role.ADMIN)


@pytest.fixture
def brand(db: None) -> Brand:
    guide_version_create(source_yaml=(settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text(), acting_user=SYSTEM)
    return Brand.objects.get(slug="northwind")


@pytest.fixture
def prompt(db: None) -> PromptTemplate:
    base = settings.BASE_DIR / "prompts"
    prompt_version_create(
        slug="brand-voice", name="Brand voice",
        system_source=(base / "brand-voice.system.j2").read_text(), user_source=(base / "brand-voice.user.j2").read_text(),
        acting_user=SYSTEM,
    )
    return PromptTemplate.objects.get(slug="brand-voice")


@pytest.fixture
def segments(brand: Brand) -> dict[str, Segment]:
    return {
        "new": segment_save(brand=brand, slug="new-customers", name="New customers", acting_user=SYSTEM),
        "loyal": segment_save(brand=brand, slug="loyal-members", name="Loyal members", tone_context="promotional", acting_user=SYSTEM),
        "complaint": segment_save(brand=brand, slug="open-complaint", name="Open complaint", tone_context="service_recovery", sensitive=True, acting_user=SYSTEM),
    }


@pytest.fixture
def logged_in(client):  # type: ignore[no-untyped-def]
    def login(user: User):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return login


@pytest.fixture
def anon_dir(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    yield str(tmp_path)


@pytest.fixture
def live(brand, prompt, segments, marketer, reviewer, publisher, admin_user) -> Live:  # type: ignore[no-untyped-def]
    livecache.forget_all()
    journey = journey_actions.journey_create(brand=brand, slug="spring", name="Spring", acting_user=publisher)
    step = journey_actions.journey_step_create(
        journey, slug="launch-email", name="Launch email", channel="email", default_segment=segments["new"], promotional=True,
        suppress_signals=["open_support_case", "billing_issue"], acting_user=publisher,
    )
    other = journey_actions.journey_create(brand=brand, slug="elsewhere", name="Elsewhere", acting_user=publisher)
    journey_actions.journey_step_create(other, slug="mail", name="Mail", channel="email", default_segment=segments["new"], acting_user=publisher)
    first = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    second = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    a = journey_actions.publication_create(step, version=first.latest_version(), weight=50, acting_user=publisher)
    b = journey_actions.publication_create(step, version=second.latest_version(), weight=50, acting_user=publisher)
    client, token = journey_actions.api_client_create(name="engine", journeys=[journey], acting_user=admin_user)
    return Live(journey, step, other, a, b, client, token, publisher)


@pytest.fixture
def celery_worker_process(transactional_db: None) -> Iterator[WorkerProcess]:
    purge_broker()
    worker = WorkerProcess()
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


# -- the browser (tests/browser.py has the helpers) ------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Open a logged-in page for a user (optionally with JavaScript off); every page opened is screenshotted if the test fails."""
    contexts: list[Any] = []

    def opener(user: Any, width: int = WIDTHS["desktop"], *, javascript: bool = True) -> Any:
        context = chromium.new_context(viewport={"width": width, "height": 900}, base_url=live_server.url, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, user.username, PASSWORD)
        return page

    opener.contexts = contexts  # type: ignore[attr-defined]
    yield opener
    for context in contexts:
        context.close()
