from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workbench.access import SystemActor
from workbench.brand.actions import guide_version_create
from workbench.errors import CopydeskError


class Command(BaseCommand):
    help = "Validate a brand guide YAML file (Contract 1) and store it as the brand's next immutable version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="brandguide/<slug>.yaml")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            source = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file", returncode=2) from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text", returncode=2) from None
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}", returncode=2) from None
        try:
            version = guide_version_create(source_yaml=source, acting_user=SystemActor("load_brandguide"))
        except CopydeskError as exc:
            raise CommandError(f"{path}: {exc.message}", returncode=2) from None
        self.stdout.write(f"{version.brand.slug}: guide version {version.number} is current")
