"""The tree's plumbing: where the broker keeps its files, parallel test workers kept apart, htmx requests read by django-htmx."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.pipeline import make_brief

SHOW_SETTINGS = """
import json
from tests import settings as s
print(json.dumps({"data_dir": str(s.DATA_DIR), "broker": s.CELERY_BROKER_TRANSPORT_OPTIONS, "cache": s.CACHES["default"],
                  "htmx": s.HTMX_DIST_DIR.is_dir()}))
"""


def settings_seen_by(tmp_path: Path, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST", "COPYDESK_", "CELERY_", "DATABASE_URL"))}
    done = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS], env={**clean, "COPYDESK_DATA_DIR": str(tmp_path), **env},
        capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=60, check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_it_keeps_the_file_system_brokers_control_folder_under_the_data_directory(tmp_path):
    seen = settings_seen_by(tmp_path)
    broker = seen["broker"]
    assert isinstance(broker, dict)
    assert broker["control_folder"] == str(tmp_path / "broker" / "control")
    assert (tmp_path / "broker" / "control").is_dir()


def test_each_parallel_test_worker_has_its_own_data_directory_and_redis_prefix(tmp_path):
    worker = settings_seen_by(tmp_path, PYTEST_XDIST_WORKER="gw3", CELERY_BROKER_URL="redis://127.0.0.1:6379/15", COPYDESK_CACHE_URL="redis://127.0.0.1:6379/14")
    other = settings_seen_by(tmp_path, PYTEST_XDIST_WORKER="gw4", CELERY_BROKER_URL="redis://127.0.0.1:6379/15", COPYDESK_CACHE_URL="redis://127.0.0.1:6379/14")
    assert worker["data_dir"] == str(tmp_path / "test-workers" / "gw3")
    assert other["data_dir"] == str(tmp_path / "test-workers" / "gw4")
    assert worker["broker"]["global_keyprefix"] != other["broker"]["global_keyprefix"]  # type: ignore[index]
    assert worker["cache"]["KEY_PREFIX"] != other["cache"]["KEY_PREFIX"]  # type: ignore[index]


def test_parallel_test_workers_serve_the_htmx_installed_in_the_shared_data_directory(tmp_path):
    (tmp_path / "npm" / "node_modules" / "htmx.org" / "dist").mkdir(parents=True)
    assert settings_seen_by(tmp_path, PYTEST_XDIST_WORKER="gw3")["htmx"] is True


def test_a_subprocess_of_a_parallel_test_worker_stays_in_that_workers_data_directory(tmp_path):
    # A Celery worker or manage.py started by a test inherits the environment; it must not nest a second level.
    inherited = {"PYTEST_XDIST_WORKER": "gw3", "COPYDESK_TEST_WORKER": "gw3", "COPYDESK_DATA_DIR": str(tmp_path / "test-workers" / "gw3")}
    seen = settings_seen_by(tmp_path, **inherited)
    assert seen["data_dir"] == str(tmp_path / "test-workers" / "gw3")


def test_a_serial_run_keeps_the_configured_data_directory(tmp_path):
    assert settings_seen_by(tmp_path)["data_dir"] == str(tmp_path)


@pytest.mark.django_db
def test_the_brief_page_answers_htmx_polling_with_only_the_progress_part(logged_in, brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    client = logged_in(marketer)
    url = reverse("brief_detail", args=[brief.pk]) + "?part=progress"
    polled = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert polled.lstrip().startswith('<section id="progress"') and "<html" not in polled
    assert "<html" in client.get(url).content.decode()  # without htmx: the whole page
