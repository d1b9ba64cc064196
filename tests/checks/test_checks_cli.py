"""`manage.py check_copy --brand` as a process (Contract 2): exit codes 0/1/2, JSONL order and error lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.worker import database_url_for_worker


@pytest.fixture
def check_copy(transactional_db, brand):  # type: ignore[no-untyped-def]
    env = {**os.environ, "DATABASE_URL": database_url_for_worker(), "COPYDESK_DATA_DIR": str(settings.DATA_DIR)}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "manage.py", "check_copy", *args]
        return subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=settings.BASE_DIR, env=env, timeout=120)

    return run


def test_single_mode_exit_codes_and_result(check_copy):
    clean = check_copy("--brand", "northwind", "--channel", "sms", "-", stdin="Boots are in. Reply STOP to opt out\n")
    assert (clean.returncode, json.loads(clean.stdout)) == (0, {"id": None, "passed": True, "findings": []})

    blocked = check_copy("--brand", "northwind", "--channel", "sms", "-", stdin="Cheap boots! Reply STOP to opt out")
    result = json.loads(blocked.stdout)
    assert blocked.returncode == 1 and result["passed"] is False
    assert [(f["kind"], f["rule"], f["start"], f["end"], f["suggestion"]) for f in result["findings"]] == [("disallowed_word", "cheap", 0, 5, "affordable")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--brand", "southwind", "--channel", "sms", "-"], "check_copy: error: unknown brand: southwind"),
        (["--brand", "northwind", "--channel", "sms", "--context", "party", "-"], "unknown context 'party'"),
    ],
)
def test_bad_input_exits_2_without_a_traceback(check_copy, args, message):
    done = check_copy(*args, stdin="Boots")
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr and done.stdout == ""


def test_jsonl_mode_keeps_order_and_reports_a_malformed_line(check_copy):
    lines = [
        {"id": "a", "channel": "sms", "text": "Cheap boots. Reply STOP to opt out"},
        "{not json",
        {"id": "c", "channel": "email", "fields": {"subject": "Boots", "body": "Hi {{ unsubscribe_url }}"}},
        {"id": "d", "channel": "fax", "text": "Boots"},
    ]
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    done = check_copy("--brand", "northwind", "--jsonl", "-", stdin=stdin)
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 2 and "2 lines could not be checked" in done.stderr and "Traceback" not in done.stderr
    assert [r["id"] for r in results] == ["a", None, "c", "d"]
    assert results[0]["passed"] is False and results[2] == {"id": "c", "passed": True, "findings": []}
    assert results[1]["error"].startswith("line 2: invalid JSON") and results[3]["error"].startswith("line 4: unknown channel 'fax'")


@pytest.mark.parametrize("command", [
    ["check_copy", "--brand", "northwind", "--channel", "sms", "-"],
    ["export_brandguide", "northwind"],
    ["create_api_client", "engine", "--all-journeys"],
])
def test_a_database_without_tables_is_one_line_not_a_traceback(tmp_path, command):
    # a fresh checkout before ./copydesk run: the commands say what to do
    env = {**os.environ, "COPYDESK_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    done = subprocess.run([sys.executable, "manage.py", *command], input="Boots", capture_output=True, text=True,
                          cwd=settings.BASE_DIR, env=env, timeout=120)
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr, done.stderr
    assert f"{command[0]}: error:" in done.stderr and "manage.py migrate" in done.stderr
    assert done.returncode == (2 if command[0] == "check_copy" else 1)  # check_copy keeps Contract 2's exit 2
