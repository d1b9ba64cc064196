from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workbench.brand.models import Brand, BrandGuideVersion
from workbench.checks.engine import dump_guide_yaml


class Command(BaseCommand):
    help = "Write a brand guide version back as YAML (Contract 1); the current version unless --number is given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--number", type=int, help="a guide version number; default: the current one")
        parser.add_argument("--out", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        brand = Brand.objects.filter(slug=options["slug"]).first()
        if brand is None:
            raise CommandError(f"unknown brand {options['slug']!r}", returncode=2)
        versions = brand.guide_versions.order_by("-number")
        version = versions.filter(number=options["number"]).first() if options["number"] else versions.first()
        if version is None:
            raise CommandError(f"{brand.slug} has no guide version {options['number']}", returncode=2)
        text = dump_guide_yaml(version.data)
        if options["out"]:
            with open(options["out"], "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")


__all__ = ["Command", "BrandGuideVersion"]
