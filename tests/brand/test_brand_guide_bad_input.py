"""Bad input at the guide's editors: values YAML cannot build, numbers too large, NUL characters, a Save sent twice,
a term number written oddly. Each is an error where the admin is (form error, message, exit 2) and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse

from workbench.brand import files
from workbench.brand.models import BrandGuideVersion
from workbench.checks.engine import GuideError

pytestmark = pytest.mark.django_db

ANCHOR = "disallowed:                     # whole words/phrases, any case, see matching rules\n"

# (what is typed as a term, the message's words): values the engine's parser let through as a bare exception
UNREADABLE = [
    ("2026-02-30", "'2026-02-30' is not a valid date (day is out of range for month); put it in quotes if it is meant as text"),
    ("0000-00-00", "'0000-00-00' is not a valid date"),
    ("2026-02-28 25:00:00", "is not a valid date"),
    ("!!int abc", "'abc' is not a valid whole number"),
    ("!!float .", "'.' is not a valid number"),
    ("!!bool maybe", "'maybe' is not a valid true or false"),
    ("!!timestamp soon", "'soon' is not a valid date"),
]


def with_term(source: str, term: str) -> str:
    return source.replace(ANCHOR, ANCHOR + f"  - {{term: {term}, severity: block}}\n")


def line_of(text: str, needle: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), 1) if needle in row)


@pytest.mark.parametrize(("term", "message"), UNREADABLE, ids=[t for t, _ in UNREADABLE])
def test_it_shows_a_value_yaml_cannot_build_as_a_form_error_on_its_line(logged_in, brand, admin_user, term, message):
    text = with_term(brand.current_guide().source_yaml, term)
    response = logged_in(admin_user).post(reverse("guide_edit", args=["northwind"]), {"source_yaml": text, "base_version": "1"})
    assert response.status_code == 400
    form = response.context["form"]
    (error,) = form.errors["source_yaml"]
    assert error.startswith("disallowed[0].term: ") and message in error and f"(line {line_of(text, term)})" in error
    assert form.error_lines() == {line_of(text, term)}
    assert form["source_yaml"].value() == text  # what was typed is kept
    assert BrandGuideVersion.objects.count() == 1


def test_it_refuses_a_number_too_large_to_compare(logged_in, brand, admin_user):
    text = brand.current_guide().source_yaml + "\napproval:\n  due_hours: {default: 1" + "0" * 400 + "}\n"
    response = logged_in(admin_user).post(reverse("guide_edit", args=["northwind"]), {"source_yaml": text, "base_version": "1"})
    assert response.status_code == 400
    (error,) = response.context["form"].errors["source_yaml"]
    assert error.startswith("approval.due_hours.default: must be at most 8,784 (line")
    assert BrandGuideVersion.objects.count() == 1


@pytest.mark.parametrize("escape", ["\\0", "\\x00", "\\u0000"])
def test_it_refuses_a_nul_character_written_as_a_yaml_escape(logged_in, brand, admin_user, escape):
    """PostgreSQL stores no NUL in text or JSON: the save was a 500 there."""
    text = with_term(brand.current_guide().source_yaml, f'"bar{escape}gain"')
    response = logged_in(admin_user).post(reverse("guide_edit", args=["northwind"]), {"source_yaml": text, "base_version": "1"})
    assert response.status_code == 400
    (error,) = response.context["form"].errors["source_yaml"]
    assert error == f'disallowed[0].term: contains a NUL character ("\\0"); remove it (line {line_of(text, f"bar{escape}gain")})'
    assert BrandGuideVersion.objects.count() == 1


def test_the_repository_file_with_an_unreadable_value_is_shown_and_refused_not_a_500(logged_in, brand, admin_user, tmp_path: Path, monkeypatch):
    (tmp_path / "northwind.yaml").write_text(with_term(brand.current_guide().source_yaml, "2026-02-30"))
    monkeypatch.setattr(files, "guide_dir", lambda: tmp_path)
    client = logged_in(admin_user)
    page = client.get(reverse("guide_detail", args=["northwind"]))
    assert page.status_code == 200 and "is not a valid date" in page.content.decode()
    response = client.post(reverse("guide_load_file", args=["northwind"]))
    assert response.status_code == 302
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "error" and "'2026-02-30' is not a valid date" in str(message)
    assert BrandGuideVersion.objects.count() == 1


def test_load_brandguide_exits_2_on_an_unreadable_value(brand, tmp_path: Path):
    guide = tmp_path / "northwind.yaml"
    guide.write_text(with_term(brand.current_guide().source_yaml, "!!int abc"))
    with pytest.raises(CommandError, match="'abc' is not a valid whole number") as raised:
        call_command("load_brandguide", str(guide))
    assert raised.value.returncode == 2
    assert BrandGuideVersion.objects.count() == 1


def test_saving_the_same_yaml_twice_makes_one_version_and_says_so_the_second_time(logged_in, brand, admin_user):
    client = logged_in(admin_user)
    form = {"source_yaml": with_term(brand.current_guide().source_yaml, "bargain"), "base_version": "1"}
    assert client.post(reverse("guide_edit", args=["northwind"]), form).status_code == 302
    again = client.post(reverse("guide_edit", args=["northwind"]), form)  # a double click, or the browser resending
    assert again.status_code == 302
    assert [str(m) for m in get_messages(again.wsgi_request)][-1] == "The guide's rules did not change, so no new version was made."
    assert BrandGuideVersion.objects.count() == 2


def test_adding_the_same_term_twice_from_one_page_adds_it_once(logged_in, brand, admin_user):
    client = logged_in(admin_user)
    form = {"base_version": "1", "term": "bargain", "severity": "block"}
    assert client.post(reverse("guide_terms", args=["northwind"]), form).status_code == 302
    again = client.post(reverse("guide_terms", args=["northwind"]), form)
    assert again.status_code == 302
    assert [str(m) for m in get_messages(again.wsgi_request)][-1] == "Nothing changed, so no new version was made."
    terms = [t["term"] for t in brand.current_guide().data["disallowed"]]
    assert terms.count("bargain") == 1 and BrandGuideVersion.objects.count() == 2


@pytest.mark.parametrize("index", [" 1", "1.0", "\u0661", "+1", "1 "])
def test_a_term_number_written_another_way_is_a_404_not_a_new_term(logged_in, brand, admin_user, index):
    """The form's integer field read " 1" as 1 while the page read no number: the edit was added beside term 1."""
    client = logged_in(admin_user)
    before = brand.current_guide().data["disallowed"]
    response = client.post(reverse("guide_terms", args=["northwind"]), {"base_version": "1", "index": index, "term": "bargain", "severity": "block"})
    assert response.status_code == 404
    assert client.get(reverse("guide_terms", args=["northwind"]), {"edit": index}).status_code == 404
    assert brand.current_guide().data["disallowed"] == before and BrandGuideVersion.objects.count() == 1
