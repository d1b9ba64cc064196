"""Schemathesis against the generated OpenAPI schema: no 5xx, and every response as documented.

Driven through Hypothesis directly (schemathesis's pytest plugin does not run under pytest 9),
in-process against the WSGI application, with a valid token for a client scoped to everything.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from tests.journeys_setup import Live
from workbench.journeys import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def wsgi_app(live: Live):  # type: ignore[no-untyped-def]
    from workbench.wsgi import application

    # The real WSGI handler closes the connection after each request, which would end the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_it_answers_generated_requests_as_documented(wsgi_app, live: Live, admin_user):  # type: ignore[no-untyped-def]
    _, token = actions.api_client_create(name="fuzzer", all_journeys=True, can_check=True, rate_limit_per_minute=1_000_000, acting_user=admin_user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {
        "GET /api/v1/journeys", "GET /api/v1/journeys/{journey}/steps/{step}/content", "POST /api/v1/journeys/{journey}/steps/{step}/outcomes",
    }
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            # Random slugs mostly 404; steer half the cases onto the real step so 200/204/304 are fuzzed too.
            if case.path_parameters and len(str(case.path_parameters.get("journey", ""))) % 2 == 0:
                case.path_parameters = {"journey": live.journey.slug, "step": live.step.slug}
            # OpenAPI (as django-ninja writes it) cannot say that `attributes` is a JSON object inside a query string,
            # so a schema-valid but non-JSON value is rightly refused with 400: only that case skips the acceptance check.
            excluded = [schemathesis.checks.positive_data_acceptance] if (case.query or {}).get("attributes") is not None else []
            if not operation.path.startswith("/api/v1/journeys"):
                # The checks endpoint (Contract 2) is another area's: held to "no 5xx" here; its error codes are not yet in its schema.
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[schemathesis.checks.not_a_server_error])
                return
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded)

        check()
