"""Benchmark of the review queue page (plain script: `python bench/bench_queue.py`).

Renders /review/ as a reviewer through Django's full request stack (middleware, session,
templates) in a fresh database, first with an empty queue (the baseline: what every page
costs), then with 10,000 drafts in review. Prints the median server time of each, their
ratio, and the filtered variants a reviewer uses most. Target: the 10,000-draft queue
renders in under 150 ms at the median. Exits non-zero when missed.

Options: --drafts N, --repeat N, --database-url URL (default: a throwaway SQLite file).
The drafts are bulk-inserted copies of one generated, checked draft: seeding is not what is measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MS = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drafts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-queue-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir}/queue.sqlite3"
    os.environ.setdefault("COPYDESK_DATA_DIR", workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    settings.COPYDESK_AUDIT_MAINTENANCE = True
    call_command("migrate", verbosity=0)
    client, seed = _setup()

    baseline = _median_ms(client, "/review/", args.repeat)
    seed(args.drafts)
    full = _median_ms(client, "/review/", args.repeat)
    print(f"queue, empty (baseline):       {baseline:7.1f} ms median of {args.repeat}")
    print(f"queue, {args.drafts:,} drafts in review: {full:7.1f} ms median  (target < {TARGET_MS:.0f} ms; {full / baseline:.1f}x the empty queue)")
    for label, url in [
        ("  page 200", "/review/?page=200"),
        ("  channel=sms", "/review/?channel=sms"),
        ("  blocking=yes", "/review/?blocking=yes"),
        ("  sensitive=yes, newest", "/review/?sensitive=yes&sort=newest"),
        ("  soonest due first", "/review/?sort=due"),
        ("  overdue", "/review/?due=overdue"),
    ]:
        print(f"{label:31s}{_median_ms(client, url, max(5, args.repeat // 3)):7.1f} ms")
    return 0 if full < TARGET_MS else 1


def _median_ms(client, url: str, repeat: int) -> float:  # type: ignore[no-untyped-def]
    assert client.get(url).status_code == 200  # warm caches, compile templates
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def _setup():  # type: ignore[no-untyped-def]
    from django.test import Client

    from tests.conftest import make_user
    from tests.pipeline import make_brief, submitted_draft
    from workbench.accounts.models import Role
    from workbench.access import SYSTEM
    from workbench.brand.actions import guide_version_create, prompt_version_create, segment_save
    from workbench.brand.models import Brand, PromptTemplate

    base = Path(__file__).resolve().parent.parent
    guide_version_create(source_yaml=(base / "brandguide" / "northwind.yaml").read_text(), acting_user=SYSTEM)
    prompt_version_create(
        slug="brand-voice", name="Brand voice", system_source=(base / "prompts" / "brand-voice.system.j2").read_text(),
        user_source=(base / "prompts" / "brand-voice.user.j2").read_text(), acting_user=SYSTEM,
    )
    brand, prompt = Brand.objects.get(slug="northwind"), PromptTemplate.objects.get(slug="brand-voice")
    segments = [
        segment_save(brand=brand, slug=f"segment-{i}", name=f"Segment {i}", sensitive=i == 0, acting_user=SYSTEM) for i in range(6)
    ]
    marketer, reviewer = make_user("maya", Role.MARKETER), make_user("riley", Role.REVIEWER)
    client = Client()
    client.force_login(reviewer)

    def seed(count: int) -> None:
        from workbench.checks.models import CheckResult
        from workbench.generation.models import Draft, DraftState, DraftVersion

        template = submitted_draft(brand, prompt, segments[1], marketer)
        version = template.latest_version()
        check = version.check_results.get()
        briefs = [make_brief(brand, prompt, segments, marketer, title=f"Brief {i}") for i in range(20)]
        channels = ["email", "sms", "push", "in_app"]
        drafts = Draft.objects.bulk_create(
            Draft(brief=briefs[i % 20], segment=segments[i % 6], channel=channels[i % 4], variant=1 + i % 3,
                  number=100 + i, state=DraftState.IN_REVIEW, created_by=marketer)
            for i in range(count - 1)
        )
        versions = DraftVersion.objects.bulk_create(
            DraftVersion(draft=d, number=1, fields=version.fields, origin=version.origin, author=marketer,
                         guide_version=version.guide_version, prompt_version=version.prompt_version, provider=version.provider, model=version.model)
            for d in drafts
        )
        # Every draft has a deadline (a seventh overdue) and every fifth is claimed: the queue shows both.
        from datetime import timedelta

        from django.utils import timezone

        from workbench.review.models import ReviewDeadline

        now = timezone.now()
        ReviewDeadline.objects.bulk_create(
            ReviewDeadline(draft=d, submitted_at=now, due_at=now + timedelta(hours=(i % 7) * 8 - 4),
                           claimed_by=reviewer if i % 5 == 0 else None, claim_active_at=now if i % 5 == 0 else None)
            for i, d in enumerate(drafts)
        )
        CheckResult.objects.bulk_create(
            CheckResult(version=v, guide_version=check.guide_version, passed=i % 7 != 0,
                        findings=check.findings if i % 7 else [{"kind": "disallowed_word", "rule": "cheap", "severity": "block", "field": "body", "start": 0, "end": 2, "match": "Hi", "message": "blocked", "suggestion": None}])
            for i, v in enumerate(versions)
        )

    return client, seed


if __name__ == "__main__":
    sys.exit(main())
