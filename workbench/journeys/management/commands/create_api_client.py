from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workbench.access import SystemActor
from workbench.errors import CopydeskError
from workbench.journeys.actions import api_client_create
from workbench.journeys.models import Journey


class Command(BaseCommand):
    help = "Create an API client for journey engines and print its token once (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--journey", action="append", default=[], metavar="SLUG", help="a journey in scope (repeatable)")
        scope.add_argument("--all-journeys", action="store_true", help="every journey, including future ones")
        parser.add_argument("--checks", action="store_true", help="may call POST /api/v1/checks")
        parser.add_argument("--rate-limit", type=int, default=6000, metavar="N", help="requests a minute before 429 (default 6000)")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs: list[str] = options["journey"]
        journeys = list(Journey.objects.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {j.slug for j in journeys})
        if missing:
            raise CommandError(f"unknown journey: {', '.join(missing)}", returncode=2)
        if not slugs and not options["all_journeys"] and not options["checks"]:
            raise CommandError("give a scope: --journey SLUG (repeatable), --all-journeys, or --checks", returncode=2)
        try:
            client, token = api_client_create(
                name=options["name"], journeys=journeys, all_journeys=options["all_journeys"], can_check=options["checks"],
                rate_limit_per_minute=options["rate_limit"], acting_user=SystemActor("create_api_client"),
            )
        except CopydeskError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stderr.write(f"Created API client {client.name!r}. The token is shown once; store it now.")
        self.stdout.write(token)
