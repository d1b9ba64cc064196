"""Statistics on stored outcomes: whatever the counts, the pages render, impossible rates say so and stay out of the z-test."""

from __future__ import annotations

import pytest

from tests.journeys_setup import Live
from workbench.journeys.models import OutcomeCount
from workbench.journeys.stats import Performance, compare_variants, two_proportion_p_value

pytestmark = pytest.mark.django_db


def _store(publication, **counts: int) -> None:  # type: ignore[no-untyped-def]
    for event, count in counts.items():
        OutcomeCount.objects.create(publication=publication, event=event, count=count)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"),
    [(150, 100, 10, 100), (10, 100, 101, 100), (-1, 100, 5, 100), (5, 0, 5, 100), (5, -10, 5, 100), (0, 100, 0, 100), (100, 100, 100, 100)],
)
def test_the_z_test_has_no_answer_for_counts_that_are_not_proportions(x1, n1, x2, n2):
    assert two_proportion_p_value(x1, n1, x2, n2) is None


def test_the_z_test_still_answers_for_real_proportions():
    p = two_proportion_p_value(100, 1000, 40, 1000)
    assert p is not None and 0 < p < 0.001


def test_an_impossible_rate_is_shown_as_such_not_as_a_percentage():
    performance = Performance("x", {"delivered": 10, "opened": 25, "converted": 3, "clicked": 0})
    cells = dict(performance.cells)
    assert cells["opened"] == "— (more opens than deliveries)"
    assert cells["converted"] == "30.0 %" and cells["clicked"] == "0.0 %"
    assert performance.rate("opened") is None and not performance.plausible
    assert dict(Performance("y", {"converted": 4}).cells)["converted"] == "— (more conversions than deliveries)"
    assert dict(Performance("z", {}).cells)["opened"] == "—"


def test_a_variant_with_impossible_counts_is_left_out_of_the_significance_test(live: Live):
    _store(live.a, delivered=100, converted=500)  # would "lead" on a 500 % conversion rate
    _store(live.b, delivered=1000, converted=40)
    results = {r.publication.pk: r for r in compare_variants([live.a, live.b])}
    assert not results[live.a.pk].leader and results[live.a.pk].p_value is None
    assert results[live.b.pk].p_value is None  # nothing left to compare it with


def test_the_step_page_renders_stored_impossible_counts(client, marketer, live: Live):
    _store(live.a, delivered=10, opened=50, converted=30)
    _store(live.b, delivered=1000, converted=40)
    client.force_login(marketer)
    response = client.get(f"/journeys/{live.journey.slug}/steps/{live.step.slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "— (more conversions than deliveries)" in page and "— (more opens than deliveries)" in page
    assert "300.0 %" not in page and "500.0 %" not in page and "left out: impossible counts" in page


def test_what_works_renders_stored_impossible_counts(client, marketer, live: Live):
    _store(live.a, opened=7, converted=3)  # nothing delivered at all
    client.force_login(marketer)
    response = client.get("/journeys/performance/")
    assert response.status_code == 200
    assert "— (more conversions than deliveries)" in response.content.decode()


def test_huge_stored_counts_render(client, marketer, live: Live):
    _store(live.a, delivered=2**62, converted=2**61)
    _store(live.b, delivered=2**62, converted=2**60)
    client.force_login(marketer)
    assert client.get(f"/journeys/{live.journey.slug}/steps/{live.step.slug}/").status_code == 200
    assert client.get("/journeys/performance/").status_code == 200
