from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workbench.audit.log import verify_chain


class Command(BaseCommand):
    help = "Walk the audit hash chain. Exit 0 with the head hash and count, 1 at the first broken, missing or reordered event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=int, help="verify from this sequence number on (incremental)")
        parser.add_argument("--expect-head", help="a head hash kept outside the database; it must still be in the chain")
        parser.add_argument("--export-head", help="write 'SEQ HASH' of the head to this file, to keep outside the database")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["since"] is not None and options["since"] < 1:
            raise CommandError("--since takes a sequence number of 1 or more", returncode=2)
        report = verify_chain(since=options["since"], expected_head=options["expect_head"])
        if not report.ok:
            self.stderr.write(f"audit chain BROKEN: {report.problem}")
            sys.exit(1)
        self.stdout.write(f"audit chain OK: {report.count} events verified, head #{report.head_seq} {report.head_hash}")
        if options["export_head"]:
            Path(options["export_head"]).write_text(f"{report.head_seq} {report.head_hash}\n")
