from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workbench.accounts.models import User
from workbench.brand.models import Segment
from workbench.errors import CopydeskError
from workbench.generation.models import Draft
from workbench.journeys.actions import publication_create
from workbench.journeys.models import JourneyStep


class Command(BaseCommand):
    help = "Publish a draft's current, approved version to a journey step (the same checks as the Publish button)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("journey", metavar="JOURNEY")
        parser.add_argument("step", metavar="STEP")
        parser.add_argument("--draft", type=int, required=True, metavar="ID")
        parser.add_argument("--by", required=True, metavar="USERNAME", help="the publisher this is done as (audited)")
        parser.add_argument("--segment", metavar="SLUG", help="default: the draft's own segment")
        parser.add_argument("--weight", type=int, default=100)
        parser.add_argument("--replace", action="store_true", help="end what is live for the segment instead of adding an A/B variant")

    def handle(self, *args: Any, **options: Any) -> None:
        step = JourneyStep.objects.select_related("journey").filter(journey__slug=options["journey"], slug=options["step"]).first()
        draft = Draft.objects.filter(pk=options["draft"]).first()
        user = User.objects.filter(username=options["by"], is_active=True).first()
        segment = Segment.objects.filter(slug=options["segment"], brand__journeys=step.journey).first() if step and options["segment"] else None
        for missing, what in ((step, f"step {options['journey']}/{options['step']}"), (draft, f"draft {options['draft']}"), (user, f"user {options['by']}")):
            if missing is None:
                raise CommandError(f"unknown {what}", returncode=2)
        if options["segment"] and segment is None:
            raise CommandError(f"unknown segment {options['segment']} for this journey's brand", returncode=2)
        assert step is not None and draft is not None and user is not None
        try:
            publication = publication_create(
                step, version=draft.latest_version(), weight=options["weight"], segment=segment, replace=options["replace"], acting_user=user
            )
        except CopydeskError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(f"publication {publication.pk}: draft {draft.pk} v{publication.version.number} live on {step} for {publication.segment.slug}")
