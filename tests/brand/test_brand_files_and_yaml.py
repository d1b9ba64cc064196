"""Starting Copydesk never undoes what admins typed; guide and prompt files load only when asked; hostile YAML is refused at every entrance."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.worker import database_url_for_worker
from workbench.audit.models import AuditEvent
from workbench.brand.models import Brand, BrandGuideVersion, PromptTemplate
from workbench.checks.engine import check_fields
from workbench.checks.services import compiled_guide

pytestmark = pytest.mark.django_db

LINE = "disallowed:                     # whole words/phrases, any case, see matching rules\n"


def with_term(source: str, term: str) -> str:
    return source.replace(LINE, LINE + f"  - {{term: {term}, severity: block, suggestion: durable}}\n")


def edit_guide_in_browser(client, term: str = "sturdy") -> BrandGuideVersion:  # type: ignore[no-untyped-def]
    brand = Brand.objects.get(slug="northwind")
    response = client.post(reverse("guide_edit", args=["northwind"]), {"source_yaml": with_term(brand.current_guide().source_yaml, term)})
    assert response.status_code == 302
    return brand.current_guide()


def edit_prompt_in_browser(client) -> str:  # type: ignore[no-untyped-def]
    current = PromptTemplate.objects.get(slug="brand-voice").current_version()
    system = current.system_source + "\nNever mention competitors.\n"
    response = client.post(reverse("prompt_edit", args=["brand-voice"]), {"system_source": system, "user_source": current.user_source})
    assert response.status_code == 302, response.content.decode()[:2000]
    return system


def blocks(text: str, term: str) -> bool:
    guide = Brand.objects.get(slug="northwind").current_guide()
    result = check_fields(compiled_guide(guide), "sms", {"body": text + " Reply STOP to opt out"}, None)
    return any(f.rule == term and f.severity == "block" for f in result.findings)


def test_it_keeps_a_guide_and_a_prompt_edited_in_the_browser_when_seed_demo_runs_again(admin_user, logged_in):
    call_command("seed_demo", "--quiet-passwords", stdout=open(os.devnull, "w"))
    client = logged_in(admin_user)
    edited = edit_guide_in_browser(client)
    system = edit_prompt_in_browser(client)
    assert blocks("Sturdy boots for you.", "sturdy")

    call_command("seed_demo", "--quiet-passwords", stdout=open(os.devnull, "w"))

    assert Brand.objects.get(slug="northwind").current_guide().pk == edited.pk
    assert blocks("Sturdy boots for you.", "sturdy")
    assert PromptTemplate.objects.get(slug="brand-voice").current_version().system_source == system


def test_it_says_on_the_guide_page_that_the_file_differs_and_loads_it_only_when_asked(admin_user, reviewer, logged_in):
    call_command("seed_demo", "--quiet-passwords", stdout=open(os.devnull, "w"))
    client = logged_in(admin_user)
    page = client.get(reverse("guide_detail", args=["northwind"])).content.decode()
    assert "differs from the stored version" not in page
    edited = edit_guide_in_browser(client)

    page = client.get(reverse("guide_detail", args=["northwind"])).content.decode()
    assert "brandguide/northwind.yaml differs from the stored version" in page
    assert 'class="diff-del">-  - {term: sturdy' in page  # the file lacks the term typed in the browser
    assert reverse("guide_load_file", args=["northwind"]) in page
    assert reverse("guide_load_file", args=["northwind"]) not in logged_in(reviewer).get(reverse("guide_detail", args=["northwind"])).content.decode()
    assert logged_in(reviewer).post(reverse("guide_load_file", args=["northwind"])).status_code == 403

    client = logged_in(admin_user)
    client.post(reverse("guide_load_file", args=["northwind"]))
    current = Brand.objects.get(slug="northwind").current_guide()
    assert current.number == edited.number + 1 and current.created_by == admin_user
    assert current.source_yaml == (settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text()
    assert AuditEvent.objects.filter(action="guide.version_create").count() == 3
    assert "differs from the stored version" not in client.get(reverse("guide_detail", args=["northwind"])).content.decode()


def test_it_says_on_the_prompt_page_that_the_files_differ_and_load_prompts_loads_them(admin_user, logged_in, prompt):
    client = logged_in(admin_user)
    edit_prompt_in_browser(client)
    page = client.get(reverse("prompt_detail", args=["brand-voice"])).content.decode()
    assert "prompts/brand-voice.*.j2 differs from the stored version" in page and "Never mention competitors." in page

    call_command("load_prompts", "--only-missing", stdout=open(os.devnull, "w"))
    assert prompt.current_version().number == 2
    call_command("load_prompts", stdout=open(os.devnull, "w"))
    assert prompt.current_version().number == 3
    assert prompt.current_version().system_source == (settings.BASE_DIR / "prompts" / "brand-voice.system.j2").read_text()


def test_the_prompt_page_button_loads_the_files_as_a_new_version(admin_user, logged_in, prompt):
    client = logged_in(admin_user)
    edit_prompt_in_browser(client)
    client.post(reverse("prompt_load_file", args=["brand-voice"]))
    assert prompt.current_version().number == 3 and prompt.current_version().created_by == admin_user


def deep_guide() -> str:
    return "slug: northwind\nname: Northwind\nvoice: " + "[" * 50_000 + "]" * 50_000 + "\n"


def aliased_guide() -> str:
    big = "y" * 200_000
    return f"slug: northwind\nname: &big '{big}'\nmerge_fields: [" + ", ".join(["*big"] * 1000) + "]\n"


def laughs_guide() -> str:
    lines = ["slug: northwind", "name: Northwind", "a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("source", [deep_guide(), aliased_guide(), laughs_guide()], ids=["deep", "aliased", "laughs"])
def test_it_refuses_hostile_yaml_in_the_guide_editor_with_a_form_error(brand, admin_user, logged_in, source):
    response = logged_in(admin_user).post(reverse("guide_edit", args=["northwind"]), {"source_yaml": source})
    assert response.status_code == 400
    page = response.content.decode()
    assert "nested more than" in page or "expand to more than" in page
    assert brand.guide_versions.count() == 1


@pytest.mark.parametrize("source", [deep_guide(), aliased_guide(), laughs_guide()], ids=["deep", "aliased", "laughs"])
def test_it_refuses_hostile_yaml_in_load_brandguide_with_exit_2(transactional_db, tmp_path: Path, source: str):
    guide = tmp_path / "hostile.yaml"
    guide.write_text(source)
    env = {**os.environ, "DATABASE_URL": database_url_for_worker(), "COPYDESK_DATA_DIR": str(settings.DATA_DIR)}
    done = subprocess.run(
        [sys.executable, "manage.py", "load_brandguide", str(guide)], capture_output=True, text=True, cwd=settings.BASE_DIR, env=env, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "nested more than" in done.stderr or "expand to more than" in done.stderr
    assert not BrandGuideVersion.objects.exists()


def test_check_copy_refuses_a_deeply_nested_guide_with_exit_2_not_a_crash(transactional_db, tmp_path: Path):
    guide = tmp_path / "deep.yaml"
    guide.write_text(deep_guide())
    env = {**os.environ, "DATABASE_URL": database_url_for_worker(), "COPYDESK_DATA_DIR": str(settings.DATA_DIR)}
    done = subprocess.run(
        [sys.executable, "manage.py", "check_copy", "--guide", str(guide), "--channel", "sms", "-"],
        input="Boots. Reply STOP to opt out", capture_output=True, text=True, cwd=settings.BASE_DIR, env=env, timeout=120,
    )
    assert done.returncode == 2 and "nested more than 64 levels" in done.stderr and done.stdout == ""
