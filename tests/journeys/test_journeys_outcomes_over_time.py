"""Outcomes per variant and day on What works: the date range, the grouped query, the chart's data and its CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.journeys_setup import Live
from workbench.journeys.models import OutcomeCount, OutcomeReport, Publication
from workbench.journeys.stats import CSV_HEADER, csv_text, outcome_series

pytestmark = pytest.mark.django_db

PAGE = "/journeys/performance/"
CSV_URL = "/journeys/performance/outcomes.csv"


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _report(publication: Publication, day: date, hour: int = 12, **counts: int) -> None:
    for event, count in counts.items():
        OutcomeReport.objects.create(publication=publication, event=event, count=count, reported_at=_at(day, hour))


def _outcomes_post(client, live: Live, reports: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    url = f"/api/v1/journeys/{live.journey.slug}/steps/{live.step.slug}/outcomes"
    return client.post(url, data=json.dumps(reports), content_type="application/json", **live.auth())


def _csv_rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_it_records_each_report_with_its_time_beside_the_running_totals(client, live: Live):
    response = _outcomes_post(client, live, [{"publication": live.a.pk, "event": "delivered", "count": 100}, {"publication": live.a.pk, "event": "opened", "count": 30}])
    assert response.status_code == 200
    assert OutcomeCount.objects.get(publication=live.a, event="delivered").count == 100
    reports = list(OutcomeReport.objects.order_by("event").values_list("publication_id", "event", "count"))
    assert reports == [(live.a.pk, "delivered", 100), (live.a.pk, "opened", 30)]
    # A replayed batch counts nothing again, in the totals or the daily record.
    for _ in range(2):
        client.post(
            f"/api/v1/journeys/{live.journey.slug}/steps/{live.step.slug}/outcomes", data=json.dumps([{"publication": live.b.pk, "event": "delivered", "count": 5}]),
            content_type="application/json", HTTP_IDEMPOTENCY_KEY="batch-1", **live.auth(),
        )
    assert OutcomeReport.objects.filter(publication=live.b).count() == 1


def test_it_sums_each_variant_per_day_and_leaves_other_days_out(live: Live):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    _report(live.a, yesterday, 9, delivered=100, opened=20)
    _report(live.a, yesterday, 18, delivered=100, opened=30, converted=4)
    _report(live.a, today, delivered=50, opened=60)  # opens trail deliveries: no rate that day
    _report(live.b, today, delivered=10)
    _report(live.b, today - timedelta(days=40), delivered=999)  # before the range
    series = outcome_series(today - timedelta(days=6), today)
    assert len(series.days) == 7 and series.days[-1] == today
    rows = {(r.day, r.variant.publication_id): r for r in series.rows}
    assert set(rows) == {(yesterday, live.a.pk), (today, live.a.pk), (today, live.b.pk)}
    first = rows[(yesterday, live.a.pk)]
    assert first.counts["delivered"] == 200 and first.counts["opened"] == 50
    assert dict(first.rates) == {"open_rate": 25.0, "click_rate": 0.0, "conversion_rate": 2.0, "unsubscribe_rate": 0.0}
    assert dict(rows[(today, live.a.pk)].rates)["open_rate"] is None
    # Arms are lettered as the step page and the API letter them.
    assert rows[(today, live.a.pk)].variant.arm == "A" and rows[(today, live.b.pk)].variant.arm == "B"
    assert "arm B" in rows[(today, live.b.pk)].variant.label and "spring/launch-email" in rows[(today, live.b.pk)].variant.label


def test_the_chart_data_has_one_value_per_day_and_gaps_where_nothing_was_reported(live: Live):
    today = timezone.localdate()
    _report(live.a, today - timedelta(days=2), delivered=10, clicked=1)
    chart = outcome_series(today - timedelta(days=3), today).chart_data()
    assert chart["days"] == [(today - timedelta(days=n)).isoformat() for n in (3, 2, 1, 0)]
    (series,) = chart["series"]  # type: ignore[misc]
    assert series["delivered"] == [None, 10, None, None] and series["click_rate"] == [None, 10.0, None, None]
    assert [m["key"] for m in chart["metrics"]] == ["delivered", "open_rate", "click_rate", "conversion_rate", "unsubscribe_rate"]  # type: ignore[index]


def test_it_asks_the_database_a_fixed_number_of_grouped_queries(live: Live, django_assert_num_queries, brand, prompt, segments, marketer, reviewer):
    from tests.journeys_setup import approved_draft
    from workbench.journeys import actions

    today = timezone.localdate()
    with django_assert_num_queries(1):
        assert outcome_series(today - timedelta(days=29), today).rows == []
    for n in range(5):
        _report(live.a, today - timedelta(days=n), delivered=10, opened=n)
    with django_assert_num_queries(3):  # the grouped counts, the variants' names, the arm letters
        outcome_series(today - timedelta(days=29), today)
    for _ in range(3):
        draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
        publication = actions.publication_create(live.step, version=draft.latest_version(), acting_user=live.publisher)
        for n in range(10):
            _report(publication, today - timedelta(days=n), delivered=7, clicked=1)
    with django_assert_num_queries(3):
        series = outcome_series(today - timedelta(days=29), today)
    assert len(series.rows) == 35


def test_a_step_narrows_the_series_to_its_variants(live: Live):
    from workbench.journeys import actions

    today = timezone.localdate()
    other_step = live.other_journey.steps.get()
    draft = live.a.version.draft
    other = actions.publication_create(other_step, version=draft.latest_version(), acting_user=live.publisher)
    _report(live.a, today, delivered=10)
    _report(other, today, delivered=20)
    assert {r.variant.publication_id for r in outcome_series(today, today, step=other_step).rows} == {other.pk}
    assert {r.variant.publication_id for r in outcome_series(today, today).rows} == {live.a.pk, other.pk}


def test_the_page_defaults_to_the_last_30_days_and_shows_the_table(client, marketer, live: Live):
    today = timezone.localdate()
    _report(live.a, today - timedelta(days=29), delivered=40, opened=10)
    _report(live.a, today - timedelta(days=30), delivered=1)  # one day too early for the default range
    client.force_login(marketer)
    response = client.get(PAGE)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["date_from"].value() == today - timedelta(days=29) and form["date_to"].value() == today
    rows = response.context["series"].rows
    assert len(rows) == 1 and rows[0].delivered == 40
    page = response.content.decode()
    assert "25.00&nbsp;%" in page and 'id="outcome-chart-data"' in page and CSV_URL in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"date_from": "2026-05-10", "date_to": "2026-05-01"}, "date_from", "is after the end"),
        ({"date_from": "2024-01-01", "date_to": "2026-01-01"}, "date_to", "at most 366 days"),
        ({"date_from": "2026-13-40"}, "date_from", "Enter a valid date."),
        ({"date_to": "yesterday"}, "date_to", "Enter a valid date."),
        ({"step": "999999"}, "step", "Select a valid choice."),
        ({"date_from": "0001-01-01", "date_to": "0001-01-05"}, "date_from", "Pick a day from 01 Jan 2000 on."),
        # Without a start it was counted back 30 days from the end, past the first date there is: a 500.
        ({"date_to": "0001-01-05"}, "date_to", "Pick a day from 01 Jan 2000 on."),
        ({"date_to": "1999-12-31"}, "date_to", "Pick a day from 01 Jan 2000 on."),
        ({"date_from": "1926-01-01", "date_to": "2026-01-01"}, "date_to", "at most 366 days"),
        ({"date_from": "9999-12-31"}, "date_from", "is after the end"),
        ({"date_from": "9999-12-30", "date_to": "9999-12-31"}, "date_from", "nothing can have been reported yet"),
        ({"date_from": "0000-00-00"}, "date_from", "Enter a valid date."),
        ({"date_from": "2026-02-30"}, "date_from", "Enter a valid date."),
        ({"date_from": "2026-01-01\x00"}, "date_from", "Enter a valid date."),
        ({"date_to": "x" * 1_000_000}, "date_to", "Enter a valid date."),
        ({"step": "1" + "0" * 30}, "step", "Select a valid choice."),
        ({"step": "-1"}, "step", "Select a valid choice."),
    ],
    ids=lambda value: str(value)[:40] if isinstance(value, dict) else None,
)
def test_a_bad_range_is_a_form_error_on_the_page_not_a_traceback(client, marketer, live: Live, query, field, message):
    client.force_login(marketer)
    response = client.get(PAGE, query)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert response.context["series"] is None
    csv_response = client.get(CSV_URL, query)
    assert csv_response.status_code == 400 and message in csv_response.content.decode()


def test_an_end_near_the_first_day_without_a_start_shows_the_days_from_the_first_day(client, marketer, live: Live):
    client.force_login(marketer)
    response = client.get(PAGE, {"date_to": "2000-01-05"})
    assert response.status_code == 200
    assert [d.isoformat() for d in response.context["series"].days] == ["2000-01-01", "2000-01-02", "2000-01-03", "2000-01-04", "2000-01-05"]
    assert client.get(CSV_URL, {"date_to": "2000-01-05"})["Content-Disposition"] == 'attachment; filename="outcomes-2000-01-01-to-2000-01-05.csv"'


def test_a_range_in_the_future_says_nothing_can_have_been_reported(client, marketer, live: Live):
    client.force_login(marketer)
    start = timezone.localdate() + timedelta(days=3)
    response = client.get(PAGE, {"date_from": start.isoformat(), "date_to": (start + timedelta(days=2)).isoformat()})
    assert response.status_code == 400 and "nothing can have been reported yet" in response.content.decode()


def test_the_csv_is_exactly_the_charts_data(client, marketer, live: Live):
    today = timezone.localdate()
    _report(live.a, today - timedelta(days=1), delivered=300, opened=90, clicked=30, converted=7, unsubscribed=1)
    _report(live.b, today, delivered=3, opened=5)
    client.force_login(marketer)
    query = {"date_from": (today - timedelta(days=6)).isoformat(), "date_to": today.isoformat()}
    response = client.get(CSV_URL, query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="outcomes-{query["date_from"]}-to-{query["date_to"]}.csv"' in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0] == ",".join(CSV_HEADER)
    rows = _csv_rows(response)
    assert [(r["date"], r["publication"], r["arm"]) for r in rows] == [
        ((today - timedelta(days=1)).isoformat(), str(live.a.pk), "A"), (today.isoformat(), str(live.b.pk), "B"),
    ]
    assert rows[0]["delivered"] == "300" and rows[0]["open_rate"] == "30.00" and rows[0]["conversion_rate"] == "2.33"
    assert rows[1]["open_rate"] == ""  # more opens than deliveries: no rate, a gap in the chart
    # The chart on the page draws the same numbers.
    chart = json.loads(re.search(r'<script id="outcome-chart-data" type="application/json">(.*?)</script>', client.get(PAGE, query).content.decode()).group(1))  # type: ignore[union-attr]
    by_label = {s["label"]: s for s in chart["series"]}
    for row in rows:
        i = chart["days"].index(row["date"])
        series = by_label[row["variant"]]
        assert series["delivered"][i] == int(row["delivered"])
        for key in ("open_rate", "click_rate", "conversion_rate", "unsubscribe_rate"):
            assert (series[key][i] is None and row[key] == "") or f"{series[key][i]:.2f}" == row[key]


def test_the_csv_escapes_text_and_defuses_spreadsheet_formulas(client, marketer, live: Live, segments):
    today = timezone.localdate()
    segments["new"].__class__.objects.filter(pk=segments["new"].pk).update(name='=HYPERLINK("http://evil.example","click"), "quoted"')
    _report(live.a, today, delivered=1)
    client.force_login(marketer)
    response = client.get(CSV_URL)
    (row,) = _csv_rows(response)
    assert row["segment"] == '\'=HYPERLINK("http://evil.example","click"), "quoted"'
    assert not row["variant"].startswith(("=", "+", "-", "@")) and "HYPERLINK" in row["variant"]
    # Quotes and commas are CSV-escaped, so the row keeps its columns.
    assert len(next(csv.reader(io.StringIO(response.content.decode().splitlines()[1])))) == len(CSV_HEADER)


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_every_text_column_the_names_reach_is_defused(client, marketer, live: Live, segments, start):
    """Journey and step slugs may start with "-" (a slug allows it), segment names with anything: each column that shows them is prefixed."""
    type(live.journey).objects.filter(pk=live.journey.pk).update(slug="-spring" if start == "-" else "spring")
    type(live.step).objects.filter(pk=live.step.pk).update(slug="-launch" if start == "-" else "launch")
    segments["new"].__class__.objects.filter(pk=segments["new"].pk).update(name=f"{start}cmd|' /C calc'!A0")
    _report(live.a, timezone.localdate(), delivered=1)
    client.force_login(marketer)
    (row,) = _csv_rows(client.get(CSV_URL))
    assert row["segment"] == f"'{start}cmd|' /C calc'!A0"
    assert not any(row[column].startswith(("=", "+", "-", "@")) for column in ("variant", "journey", "step", "segment", "locale", "arm"))
    if start == "-":
        assert (row["journey"], row["step"]) == ("'-spring", "'-launch") and row["variant"].startswith("'-spring/-launch")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_text_cell_that_starts_like_a_formula_is_prefixed(text):
    assert csv_text(text) == "'" + text
    assert csv_text("New customers") == "New customers"


def test_without_chartjs_the_page_shows_the_table_and_loads_no_chart_script(client, marketer, live: Live, settings, tmp_path):
    settings.CHARTJS_DIST_DIR = tmp_path / "missing"
    _report(live.a, timezone.localdate(), delivered=8, converted=2)
    client.force_login(marketer)
    page = client.get(PAGE).content.decode()
    assert "chart.umd.min.js" not in page and "outcome-canvas" not in page
    assert "25.00&nbsp;%" in page and "<table" in page


def test_with_chartjs_the_page_loads_it_from_static_files_never_a_copy(client, marketer, live: Live, settings):
    if not settings.CHARTJS_DIST_DIR.is_dir():
        pytest.skip("chart.js is not installed (npm at setup)")
    _report(live.a, timezone.localdate(), delivered=8)
    client.force_login(marketer)
    page = client.get(PAGE).content.decode()
    assert "/static/chartjs/chart.umd.min.js" in page and 'id="outcome-canvas"' in page
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    assert not [p for p in (repo / "workbench").rglob("chart*.js")], "chart.js is installed from npm, never copied into the repository"


def test_days_are_the_sites_time_zone_days(live: Live, settings):
    settings.TIME_ZONE = "America/New_York"
    from zoneinfo import ZoneInfo

    # 02:30 UTC on 10 March is still 9 March in New York.
    OutcomeReport.objects.create(publication=live.a, event="delivered", count=5, reported_at=datetime(2026, 3, 10, 2, 30, tzinfo=ZoneInfo("UTC")))
    (row,) = outcome_series(date(2026, 3, 9), date(2026, 3, 9)).rows
    assert row.day == date(2026, 3, 9) and row.delivered == 5
    assert outcome_series(date(2026, 3, 10), date(2026, 3, 10)).rows == []
