"""Brand guide pages: read, edit as a new version with errors shown in place, diff, YAML download."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workbench.audit.models import AuditEvent
from workbench.brand.actions import guide_version_create
from workbench.brand.models import Brand, BrandGuideVersion
from workbench.checks.engine import parse_guide_yaml

pytestmark = pytest.mark.django_db

CHEAP = "  - {term: cheap, severity: block, suggestion: affordable, reason: \"cheapens the brand\"}\n"


def edited(brand: Brand, old: str, new: str) -> str:
    source = brand.current_guide().source_yaml
    assert old in source
    return source.replace(old, new)


def save(client, brand: Brand, text: str, **extra: str):
    return client.post(reverse("guide_edit", args=[brand.slug]), {"source_yaml": text, **extra})


def test_an_admin_saves_an_edit_as_a_new_audited_version(logged_in, brand, admin_user):
    text = edited(brand, CHEAP, CHEAP + "  - {term: bargain, severity: warn}\n")
    response = save(logged_in(admin_user), brand, text)

    assert response.status_code == 302 and response["Location"] == reverse("guide_detail", args=["northwind"])
    version = brand.current_guide()
    assert (version.number, version.source_yaml, version.created_by) == (2, text, admin_user)
    assert {"term": "bargain", "severity": "warn"} in version.data["disallowed"]
    event = AuditEvent.objects.filter(action="guide.version_create").last()
    assert event.actor_label == admin_user.username and event.changes["number"] == [1, 2]


def test_invalid_yaml_is_shown_with_path_and_line_and_the_text_is_kept(logged_in, brand, admin_user):
    text = edited(brand, "{term: \"act now\", severity: warn}", "{term: \"act now\", severity: loud}")
    text = text.replace("merge_fields:", "merge_feilds:")
    response = save(logged_in(admin_user), brand, text)

    page = response.content.decode()
    assert response.status_code == 400
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "severity: loud" in row)
    assert f"disallowed[2].severity: expected block or warn (line {line})" in page
    assert "merge_feilds: unknown key" in page and "fix 2 problems" in page
    assert "severity: loud" in page  # the textarea keeps what was typed
    assert BrandGuideVersion.objects.count() == 1


def test_a_yaml_syntax_error_names_its_line(logged_in, brand, admin_user):
    response = save(logged_in(admin_user), brand, "slug: northwind\nname: [unclosed\n")
    assert response.status_code == 400 and "invalid YAML" in response.content.decode() and "(line " in response.content.decode()


def test_the_slug_cannot_change(logged_in, brand, admin_user):
    response = save(logged_in(admin_user), brand, edited(brand, "slug: northwind", "slug: southwind"))
    assert response.status_code == 400 and "cannot change from &#x27;northwind&#x27;" in response.content.decode()
    assert not Brand.objects.filter(slug="southwind").exists()


def test_preview_shows_the_diff_and_saves_nothing(logged_in, brand, admin_user):
    text = edited(brand, CHEAP, CHEAP + "  - {term: \"<b>bargain</b>\", severity: warn}\n")
    page = save(logged_in(admin_user), brand, text, preview="1").content.decode()
    assert '<span class="diff-add">+  - {term: &quot;&lt;b&gt;bargain&lt;/b&gt;&quot;, severity: warn}</span>' in page
    assert BrandGuideVersion.objects.count() == 1


def test_an_unchanged_guide_makes_no_version(logged_in, brand, admin_user):
    response = save(logged_in(admin_user), brand, brand.current_guide().source_yaml)
    assert response.status_code == 302 and BrandGuideVersion.objects.count() == 1


@pytest.mark.parametrize("persona", ["marketer", "reviewer", "publisher"])
def test_only_admins_edit_guides(logged_in, brand, persona, request):
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(reverse("guide_edit", args=["northwind"])).status_code == 403
    assert save(client, brand, brand.current_guide().source_yaml.replace("cheap", "cheapo")).status_code == 403
    assert "Edit guide" not in client.get(reverse("guide_detail", args=["northwind"])).content.decode()
    assert BrandGuideVersion.objects.count() == 1


def test_the_detail_page_diffs_against_the_previous_version_escaped(logged_in, brand, admin_user, marketer):
    guide_version_create(source_yaml=edited(brand, CHEAP, "  - {term: \"<script>\", severity: warn}\n"), acting_user=admin_user)
    page = logged_in(marketer).get(reverse("guide_detail", args=["northwind"])).content.decode()
    assert "Changes from version 1" in page
    assert '<span class="diff-del">-' + CHEAP.rstrip("\n").replace('"', "&quot;") + "</span>" in page
    assert '<span class="diff-add">+  - {term: &quot;&lt;script&gt;&quot;, severity: warn}</span>' in page
    first = logged_in(marketer).get(reverse("guide_detail", args=["northwind"]), {"version": "1"}).content.decode()
    assert "Changes from version" not in first and "(not current)" in first
    assert logged_in(marketer).get(reverse("guide_detail", args=["northwind"]), {"version": "9"}).status_code == 404


def test_it_downloads_a_version_as_yaml_that_loads_back(logged_in, brand, marketer):
    response = logged_in(marketer).get(reverse("guide_export", args=["northwind", 1]))
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="northwind-v1.yaml"'
    assert parse_guide_yaml(response.content.decode()) == brand.current_guide().data
    assert logged_in(marketer).get(reverse("guide_export", args=["northwind", 2])).status_code == 404


def test_the_list_takes_the_same_queries_as_brands_grow(logged_in, brand, prompt, marketer, admin_user, django_assert_num_queries):
    client = logged_in(marketer)
    client.get(reverse("guide_list"))
    with django_assert_num_queries(5) as few:  # session, user, brands, prompts, nav notification badge
        client.get(reverse("guide_list"))
    source = brand.current_guide().source_yaml
    for n in range(3):
        guide_version_create(source_yaml=source.replace("slug: northwind", f"slug: brand-{n}"), acting_user=admin_user)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("guide_list")).content.decode()
    assert page.count(reverse("guide_detail", args=["brand-2"])) == 1
