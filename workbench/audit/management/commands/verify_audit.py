from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workbench.audit.actions import verification_run
from workbench.audit.models import VerificationTrigger

HEAD_HASH = re.compile(r"[0-9a-f]{64}")


def parse_expected_head(value: str) -> tuple[str, int | None]:
    """A head hash, or the 'SEQ HASH' file that --export-head wrote."""
    if HEAD_HASH.fullmatch(value):
        return value, None
    path = Path(value)
    if path.is_file():
        parts = path.read_text().split()
        if len(parts) == 2 and parts[0].isdigit() and HEAD_HASH.fullmatch(parts[1]):
            return parts[1], int(parts[0])
        raise CommandError(f"--expect-head: {value} does not hold 'SEQ HASH' as written by --export-head", returncode=2)
    raise CommandError("--expect-head takes a 64-character head hash or a file written by --export-head", returncode=2)


class Command(BaseCommand):
    help = "Walk the audit hash chain. Exit 0 with the head hash and count, 1 at the first broken, missing or reordered event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=int, help="verify from this sequence number on (incremental)")
        parser.add_argument("--expect-head", help="a head hash (or a file written by --export-head) kept outside the database; it must still be in the chain")
        parser.add_argument("--export-head", help="write 'SEQ HASH' of the head to this file, to keep outside the database")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["since"] is not None and options["since"] < 1:
            raise CommandError("--since takes a sequence number of 1 or more", returncode=2)
        expected_head, expected_seq = parse_expected_head(options["expect_head"]) if options["expect_head"] else (None, None)
        # The result is kept: the audit log and the admins' home page say when the chain last verified.
        report, _ = verification_run(trigger=VerificationTrigger.COMMAND, since=options["since"], expected_head=expected_head, expected_head_seq=expected_seq)
        if not report.ok:
            self.stderr.write(f"audit chain BROKEN: {report.problem}")
            sys.exit(1)
        self.stdout.write(f"audit chain OK: {report.count} events verified, head #{report.head_seq} {report.head_hash}")
        if options["export_head"]:
            Path(options["export_head"]).write_text(f"{report.head_seq} {report.head_hash}\n")
