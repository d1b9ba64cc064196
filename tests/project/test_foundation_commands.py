"""The management commands a new user meets first, with good and bad input."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from workbench.audit.log import verify_chain
from workbench.brand.models import Brand, BrandGuideVersion
from workbench.generation.models import Brief, Draft
from workbench.journeys.models import ApiClient, Journey, Publication

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_loads_a_brand_guide_once_per_change(tmp_path: Path):
    guide = settings.BASE_DIR / "brandguide" / "northwind.yaml"
    assert "version 1 is current" in run("load_brandguide", str(guide))[0]
    assert "version 1 is current" in run("load_brandguide", str(guide))[0]
    changed = tmp_path / "northwind.yaml"
    changed.write_text(guide.read_text().replace("Northwind Outfitters", "Northwind Outfitters Co"))
    assert "version 2 is current" in run("load_brandguide", str(changed))[0]
    assert Brand.objects.get(slug="northwind").name == "Northwind Outfitters Co"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("slug: northwind\nname: N\ndisallowed:\n  - {term: cheap, severity: fatal}\n", "disallowed[0].severity"),
        ("slug: northwind\nname: N\nsurprise: 1\n", "surprise"),
        ("slug: [unclosed\n", "line"),
    ],
)
def test_it_rejects_a_malformed_guide_with_the_path_and_keeps_the_stored_one(tmp_path: Path, text: str, message: str):
    run("load_brandguide", str(settings.BASE_DIR / "brandguide" / "northwind.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(CommandError) as caught:
        run("load_brandguide", str(bad))
    assert caught.value.returncode == 2
    assert message in str(caught.value)
    assert BrandGuideVersion.objects.count() == 1


def test_it_says_so_when_the_guide_file_is_missing():
    with pytest.raises(CommandError, match="no such file") as caught:
        run("load_brandguide", "brandguide/nope.yaml")
    assert caught.value.returncode == 2


def test_it_exports_the_guide_it_loaded(tmp_path: Path):
    from workbench.checks.engine import parse_guide_yaml

    source = (settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text()
    run("load_brandguide", str(settings.BASE_DIR / "brandguide" / "northwind.yaml"))
    exported = run("export_brandguide", "northwind")[0]
    assert parse_guide_yaml(exported) == parse_guide_yaml(source)
    with pytest.raises(CommandError, match="unknown brand"):
        run("export_brandguide", "nobody")


def test_create_api_client_prints_the_token_once_and_refuses_a_duplicate_name(brand, publisher):
    Journey.objects.create(brand=brand, slug="welcome", name="Welcome")
    out, err = run("create_api_client", "engine", "--journey", "welcome")
    token = out.strip()
    client = ApiClient.objects.get(name="engine")
    assert token.startswith(f"cpd_{client.pk}_") and token not in client.token_hash
    assert "shown once" in err
    with pytest.raises(CommandError, match="already exists") as caught:
        run("create_api_client", "engine", "--all-journeys")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="unknown journey: nope"):
        run("create_api_client", "other", "--journey", "nope")
    with pytest.raises(CommandError, match="give a scope"):
        run("create_api_client", "other")
    assert ApiClient.objects.count() == 1


def test_seed_demo_is_safe_to_run_twice():
    first = run("seed_demo")[0]
    counts = (Brief.objects.count(), Draft.objects.count(), Publication.objects.count())
    second = run("seed_demo")[0]
    assert (Brief.objects.count(), Draft.objects.count(), Publication.objects.count()) == counts
    assert "already exist" in second
    for username in ("marketer", "reviewer", "admin"):
        assert username in first and username in second
    assert counts[2] >= 3
    assert set(Draft.objects.values_list("state", flat=True)) == {"draft", "in_review", "approved", "rejected"}
    assert Journey.objects.count() >= 2
    assert verify_chain().ok


def test_verify_audit_reports_the_head_and_exports_it(tmp_path: Path, brand):
    head_file = tmp_path / "head.txt"
    out = run("verify_audit", "--export-head", str(head_file))[0]
    assert "audit chain OK" in out
    seq, head = head_file.read_text().split()
    assert out.strip().endswith(head)
    assert "audit chain OK" in run("verify_audit", "--expect-head", head)[0]


def test_check_copy_exit_codes_from_the_command_line(tmp_path: Path):
    guide = str(settings.BASE_DIR / "brandguide" / "northwind.yaml")
    base = [sys.executable, "manage.py", "check_copy", "--guide", guide, "--channel", "sms", "-"]
    env = {"COPYDESK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}

    def check(text: bytes, args: list[str] = base) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(args, input=text, capture_output=True, cwd=settings.BASE_DIR, env=env, timeout=60)

    clean = check(b"Your boots are on their way. Reply STOP to opt out")
    assert clean.returncode == 0, clean.stderr
    blocked = check(b"Cheap boots today. Reply STOP to opt out")
    assert blocked.returncode == 1 and b'"disallowed_word"' in blocked.stdout
    bad = check(b"x", [*base[:6], "fax", "-"])
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr and bad.stderr
