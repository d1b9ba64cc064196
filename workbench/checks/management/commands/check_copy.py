from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from workbench.brand.models import Brand
from workbench.checks.engine.cli import BrandUnavailable, run


def load_brand(slug: str) -> dict[str, Any]:
    try:
        brand = Brand.objects.filter(slug=slug).first()
        if brand is None or not brand.guide_versions.exists():
            raise LookupError(f"unknown brand {slug!r}")
        data = brand.current_guide().data
    except DatabaseError as exc:
        # no tables yet (a fresh checkout), or the database is down: say so, no traceback
        raise BrandUnavailable(
            f"cannot read brand {slug!r} from the database ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}): "
            "set it up with ./copydesk run or manage.py migrate, or check a guide file with --guide PATH.yaml"
        ) from None
    assert isinstance(data, dict)
    return data


class Command(BaseCommand):
    help = (
        "Check copy against a brand guide (documented in docs/check-copy.md). "
        "check_copy (--brand SLUG | --guide PATH.yaml) --channel CH [--context CTX] [--locale TAG] [--field F] [FILE | -]; "
        "check_copy (--brand SLUG | --guide PATH.yaml) --jsonl IN.jsonl [--out OUT.jsonl]. "
        "Exit 0: all passed, 1: some blocked, 2: bad input."
    )

    def run_from_argv(self, argv: list[str]) -> None:
        # The contract's arguments and exit codes are the engine CLI's own, so
        # Django's parser and its exit code 1 for errors stay out of the way.
        sys.exit(run(argv[2:], sys.stdin, sys.stdout, sys.stderr, load_brand))

    def handle(self, *args: Any, **options: Any) -> None:
        code = run(list(args), sys.stdin, self.stdout, self.stderr, load_brand)  # type: ignore[arg-type]
        if code:
            sys.exit(code)
