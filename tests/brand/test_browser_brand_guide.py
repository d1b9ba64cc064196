"""The guide's form editors in a real browser: a term added in the form blocks copy in check_copy and the API."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.browser import BROWSER, WIDTHS, look, screenshots_on_failure, serious_axe_violations
from workbench.access import SYSTEM
from workbench.checks.management.commands import check_copy as check_copy_command
from workbench.journeys.actions import api_client_create

pytestmark = BROWSER



def check_copy(text: str, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    copy = tmp_path / "copy.txt"
    copy.write_text(text)
    out = io.StringIO()
    # As `manage.py check_copy` runs it (its exit status is the contract), in this process and database.
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit) as exit_:
        check_copy_command.Command().run_from_argv(["manage.py", "check_copy", "--brand", "northwind", "--channel", "sms", str(copy)])
    return int(exit_.value.code or 0), json.loads(out.getvalue())


@screenshots_on_failure
def test_a_term_added_in_the_form_blocks_copy_in_check_copy_and_the_api(open_page, transactional_db, brand, admin_user, tmp_path):  # type: ignore[no-untyped-def]
    copy = "Time to splurge on boots. Reply STOP to opt out"
    assert check_copy(copy, tmp_path)[0] == 0

    page = open_page(admin_user)
    page.goto(f"/guides/{brand.slug}/")
    look(page, "guide-detail")
    page.get_by_role("link", name="Edit guide").click()
    page.wait_for_url(re.compile(r"/edit/terms/$"))
    assert serious_axe_violations(page) == []
    form = page.get_by_role("region", name="Add a term")
    form.get_by_role("textbox", name="Term:").fill("splurge")
    form.get_by_role("combobox", name="Severity:").select_option("block")
    form.get_by_role("textbox", name="Suggestion:").fill("treat yourself")
    form.get_by_role("textbox", name="Reason:").fill("sounds wasteful")
    page.get_by_role("button", name="Add the term").click()
    page.get_by_text("Saved as version 2").wait_for()
    assert page.get_by_role("row", name=re.compile("splurge")).count() == 1
    look(page, "guide-terms")

    code, result = check_copy(copy, tmp_path)
    assert code == 1 and result["passed"] is False
    (finding,) = [f for f in result["findings"] if f["rule"] == "splurge"]
    assert finding["severity"] == "block" and finding["suggestion"] == "treat yourself" and "sounds wasteful" in finding["message"]

    token = api_client_create(name="linter", can_check=True, acting_user=SYSTEM)[1]
    response = Client().post("/api/v1/checks", {"brand": "northwind", "channel": "sms", "fields": {"body": copy}},
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response.json()["passed"] is False
    assert any(f["rule"] == "splurge" for f in response.json()["findings"])


@screenshots_on_failure
def test_the_yaml_editor_takes_a_problem_link_to_its_line(open_page, transactional_db, brand, admin_user):  # type: ignore[no-untyped-def]
    page = open_page(admin_user, width=WIDTHS["tablet"])
    page.goto(f"/guides/{brand.slug}/edit/")
    area = page.get_by_label("Guide (YAML)")
    text = area.input_value().replace('{term: "act now", severity: warn}', '{term: "act now", severity: loud}')
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "severity: loud" in row)
    area.fill(text)
    page.get_by_role("button", name=re.compile("Save as version")).click()
    link = page.get_by_role("link", name=re.compile(r"disallowed\[2\]\.severity"))
    link.wait_for()
    assert serious_axe_violations(page) == []
    assert "severity: loud" in area.input_value()  # the typed text is kept
    link.click()
    selected = page.evaluate("() => { const a = document.activeElement; return a.value.slice(a.selectionStart, a.selectionEnd); }")
    assert "severity: loud" in selected
    assert page.locator(f"#line-{line}").is_visible()
    look(page, "guide-yaml-error")


@screenshots_on_failure
def test_a_tone_context_row_is_added_in_place_and_saved(open_page, transactional_db, brand, admin_user):  # type: ignore[no-untyped-def]
    page = open_page(admin_user)
    page.goto(f"/guides/{brand.slug}/edit/tone/")
    assert serious_axe_violations(page) == []
    rows = page.locator("#tone-form tbody tr")
    before = rows.count()
    page.locator("input[name=ctx-3-name]").fill("winback")
    page.get_by_role("button", name="Add another context").click()
    page.locator("input[name=ctx-4-name]").wait_for()
    assert rows.count() == before + 1 and page.locator("input[name=ctx-3-name]").input_value() == "winback"
    page.get_by_label("new context: Capitals").first.select_option("flagged")
    page.get_by_role("button", name="Save tone contexts").click()
    page.get_by_text("Saved as version 2").wait_for()
    assert brand.current_guide().data["tone"]["contexts"]["winback"] == {"shouting": False}
    look(page, "guide-tone")


@screenshots_on_failure
def test_required_texts_and_channel_limits_save_from_their_forms(open_page, transactional_db, brand, admin_user):  # type: ignore[no-untyped-def]
    page = open_page(admin_user, width=WIDTHS["tablet"])
    page.goto(f"/guides/{brand.slug}/edit/required/")
    assert serious_axe_violations(page) == []
    page.get_by_role("group", name="Every locale").get_by_role("textbox", name="Push").fill("Tap to stop these")
    page.get_by_role("button", name="Save required texts").click()
    page.get_by_text("Saved as version 2").wait_for()
    look(page, "guide-required")
    page.get_by_role("link", name="Channel limits").click()
    assert serious_axe_violations(page) == []
    page.get_by_role("group", name="SMS").get_by_role("spinbutton", name="SMS parts").fill("0")
    page.get_by_role("button", name="Save channel limits").click()
    page.get_by_text("At least 1; leave it blank for the default.").wait_for()
    look(page, "guide-limits-error")
    assert brand.current_guide().number == 2 and brand.current_guide().data["required"]["push"] == ["Tap to stop these"]
