from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workbench.access import SystemActor
from workbench.brand.files import load_prompt_dir
from workbench.errors import CopydeskError


class Command(BaseCommand):
    help = (
        "Load the Jinja2 prompt templates in prompts/ (NAME.system.j2 + NAME.user.j2) as new immutable versions, "
        "over what was edited in the browser; each must render for every channel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(settings.BASE_DIR / "prompts"))
        parser.add_argument("--only-missing", action="store_true", help="leave templates that already have a version as they are")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = load_prompt_dir(Path(options["dir"]), acting_user=SystemActor("load_prompts"), only_missing=options["only_missing"])
        except CopydeskError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write("prompts: " + (", ".join(loaded) or "none found"))
