"""Per-rule precision for admins: findings raised against those reviewers marked as false positives."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.checks_pipeline import EMAIL, draft_with_text
from workbench.brand.actions import guide_version_create
from workbench.checks.actions import false_positive_mark
from workbench.checks.models import finding_key
from workbench.checks.reports import rule_precision
from workbench.checks.actions import check_version
from workbench.checks.services import latest_check

pytestmark = pytest.mark.django_db

GUARANTEED = {**EMAIL, "body": "Guaranteed comfort, guaranteed fit. {{ unsubscribe_url }}"}


def claims(version) -> list[str]:
    return [finding_key(f) for f in latest_check(version).findings if f["rule"] == "guaranteed"]


@pytest.fixture
def marked(brand, prompt, segments, marketer, reviewer):
    """Two drafts raise "guaranteed" twice each; a reviewer marks one of the four as a false positive."""
    drafts = [draft_with_text(brand, prompt, segments["new"], marketer, GUARANTEED) for _ in range(2)]
    version = drafts[0].latest_version()
    false_positive_mark(version, key=claims(version)[0], reason="Backed by the warranty", acting_user=reviewer)
    return drafts


def row(rows, rule):
    return next(r for r in rows if r.rule == rule)


def test_it_counts_raised_and_false_positive_findings_per_rule(marked, brand):
    guaranteed = row(rule_precision(brand), "guaranteed")
    assert (guaranteed.kind, guaranteed.severity, guaranteed.raised, guaranteed.false_positives) == ("claim", "warn", 4, 1)
    assert guaranteed.precision == pytest.approx(0.75)
    assert guaranteed.reasons == ["Backed by the warranty"]
    assert rule_precision(brand)[0].rule == "guaranteed"  # least precise first


def test_a_recheck_against_a_new_guide_does_not_count_a_finding_twice(marked, brand, admin_user):
    source = brand.current_guide().source_yaml.replace("name: Northwind Outfitters", "name: Northwind Outfitters Co")
    new_guide = guide_version_create(source_yaml=source, acting_user=admin_user)
    check_version(marked[0].latest_version(), guide_version=new_guide)
    assert row(rule_precision(brand), "guaranteed").raised == 4
    only_new = row(rule_precision(brand, new_guide), "guaranteed")
    assert (only_new.raised, only_new.false_positives) == (2, 0)


def test_the_page_is_for_admins(logged_in, marked, reviewer, admin_user):
    assert logged_in(reviewer).get(reverse("check_precision")).status_code == 403
    page = logged_in(admin_user).get(reverse("check_precision"), {"brand": "northwind"}).content.decode()
    assert "<code>guaranteed</code>" in page and "75%" in page and "Backed by the warranty" in page


def test_the_page_takes_the_same_queries_as_findings_grow(logged_in, brand, prompt, segments, marketer, reviewer, admin_user, django_assert_num_queries):
    client = logged_in(admin_user)
    draft_with_text(brand, prompt, segments["new"], marketer, GUARANTEED)
    client.get(reverse("check_precision"))  # warm the session
    with django_assert_num_queries(7) as few:  # session, user, brands, versions, results, marks, nav notification badge  # session, user, nav badge, brands, versions, results, marks
        client.get(reverse("check_precision"))
    for _ in range(3):
        version = draft_with_text(brand, prompt, segments["new"], marketer, GUARANTEED).latest_version()
        false_positive_mark(version, key=claims(version)[1], reason="Fine here", acting_user=reviewer)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("check_precision"))
