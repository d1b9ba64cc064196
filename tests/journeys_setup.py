"""A journey with live A/B content and an API client, built with the real transition functions (shared by the journeys and API tests)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.pipeline import approved_draft
from workbench.accounts.models import User
from workbench.journeys import actions
from workbench.journeys.livecache import forget_all
from workbench.journeys.models import ApiClient, Journey, JourneyStep, Publication

CONTENT = "/api/v1/journeys/{journey}/steps/{step}/content"


@dataclass
class Live:
    journey: Journey
    step: JourneyStep
    other_journey: Journey
    a: Publication
    b: Publication
    client: ApiClient
    token: str
    publisher: User

    def url(self, segment: str = "new-customers", **params: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"segment": segment, **params}.items())
        return CONTENT.format(journey=self.journey.slug, step=self.step.slug) + "?" + query

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {token or self.token}"}


@pytest.fixture
def live(brand, prompt, segments, marketer, reviewer, publisher, admin_user) -> Live:  # type: ignore[no-untyped-def]
    forget_all()
    journey = actions.journey_create(brand=brand, slug="spring", name="Spring", acting_user=publisher)
    step = actions.journey_step_create(
        journey, slug="launch-email", name="Launch email", channel="email", default_segment=segments["new"], promotional=True,
        suppress_signals=["open_support_case", "billing_issue"], acting_user=publisher,
    )
    other = actions.journey_create(brand=brand, slug="elsewhere", name="Elsewhere", acting_user=publisher)
    actions.journey_step_create(other, slug="mail", name="Mail", channel="email", default_segment=segments["new"], acting_user=publisher)
    first = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    second = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    a = actions.publication_create(step, version=first.latest_version(), weight=50, acting_user=publisher)
    b = actions.publication_create(step, version=second.latest_version(), weight=50, acting_user=publisher)
    client, token = actions.api_client_create(name="engine", journeys=[journey], acting_user=admin_user)
    return Live(journey, step, other, a, b, client, token, publisher)
