from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from workbench.demo.seed import seed


class Command(BaseCommand):
    help = "Load Copydesk's demo data (brand guide, prompts, segments, journeys, users, drafts in every state). Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-passwords", action="store_true", help="do not print the demo users' passwords")

    def handle(self, *args: Any, **options: Any) -> None:
        report = seed()
        for line in report.lines:
            self.stdout.write(line)
        if not options["quiet_passwords"]:
            self.stdout.write("")
            self.stdout.write("Demo users (username / password / role):")
            for username, password, role in report.users:
                self.stdout.write(f"  {username:<10} {password}  {role}")
