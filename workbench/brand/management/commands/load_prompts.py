from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workbench.brand.actions import prompt_version_create
from workbench.errors import CopydeskError


def load_prompt_dir(directory: Path) -> list[str]:
    """Load every NAME.system.j2 + NAME.user.j2 pair as a prompt template version; returns what changed."""
    loaded = []
    for system_file in sorted(directory.glob("*.system.j2")):
        slug = system_file.name.removesuffix(".system.j2")
        user_file = directory / f"{slug}.user.j2"
        if not user_file.exists():
            raise CopydeskError(f"{system_file.name} has no {user_file.name} beside it")
        version = prompt_version_create(
            slug=slug,
            name=slug.replace("-", " ").capitalize(),
            system_source=system_file.read_text(encoding="utf-8"),
            user_source=user_file.read_text(encoding="utf-8"),
            acting_user=None,
        )
        loaded.append(f"{slug} v{version.number}")
    return loaded


class Command(BaseCommand):
    help = "Load the Jinja2 prompt templates in prompts/ (NAME.system.j2 + NAME.user.j2) as immutable versions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(settings.BASE_DIR / "prompts"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = load_prompt_dir(Path(options["dir"]))
        except CopydeskError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write("prompts: " + (", ".join(loaded) or "none found"))
