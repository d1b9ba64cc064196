"""The guide and prompt files in the repository, compared with what is stored.

Files seed an empty database; after that the database is the truth, because
admins edit guides and prompts in the browser. A file is loaded over a stored
version only when someone asks (a management command or a button that shows
the diff first), so starting Copydesk never undoes work done in the UI.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from workbench.access import Actor
from workbench.brand.actions import guide_version_create, prompt_version_create
from workbench.brand.models import Brand, BrandGuideVersion, PromptTemplate, PromptTemplateVersion
from workbench.checks.engine import GuideError, parse_guide_yaml
from workbench.errors import CopydeskError

PROMPT_PARTS = (("system", "system_source"), ("user", "user_source"))


def unified_diff(before: str, after: str, *, before_name: str, after_name: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs, kind one of file, hunk, add, del, same; the template escapes the lines."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), fromfile=before_name, tofile=after_name, lineterm="", n=3)
    out: list[tuple[str, str]] = []
    for line in lines:
        if line.startswith(("---", "+++")) and len(out) < 2:
            out.append(("file", line))
        elif line.startswith("@@"):
            out.append(("hunk", line))
        else:
            out.append(({"+": "add", "-": "del"}.get(line[:1], "same"), line))
    return out


def guide_dir() -> Path:
    return Path(settings.BASE_DIR) / "brandguide"


def prompt_dir() -> Path:
    return Path(settings.BASE_DIR) / "prompts"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class FileDrift:
    """A repository file that says something other than the current stored version."""

    path: str
    diff: list[tuple[str, str]]
    problem: str = ""  # why the file could not be loaded as it is, if it cannot


def guide_file_drift(brand: Brand) -> FileDrift | None:
    """How brandguide/<slug>.yaml differs from the brand's current guide; None when it matches or is absent."""
    path = guide_dir() / f"{brand.slug}.yaml"
    text = _read(path)
    current = brand.guide_versions.order_by("-number").first()
    if text is None or current is None:
        return None
    problem = ""
    try:
        if parse_guide_yaml(text) == current.data:
            return None
    except GuideError as exc:
        problem = f"The file is not a valid guide: {exc}"
    diff = unified_diff(current.source_yaml, text, before_name=f"{current} (stored)", after_name=f"brandguide/{path.name}")
    return FileDrift(path=f"brandguide/{path.name}", diff=diff, problem=problem)


def guide_load_file(brand: Brand, *, acting_user: Actor) -> BrandGuideVersion:
    """Store the repository file as the brand's next guide version (through the same action as the editor)."""
    text = _read(guide_dir() / f"{brand.slug}.yaml")
    if text is None:
        raise CopydeskError(f"There is no readable brandguide/{brand.slug}.yaml to load.", code="not_found")
    return guide_version_create(source_yaml=text, acting_user=acting_user, expected_slug=brand.slug)


def _prompt_sources(slug: str, directory: Path | None = None) -> tuple[str, str] | None:
    base = directory or prompt_dir()
    system, user = _read(base / f"{slug}.system.j2"), _read(base / f"{slug}.user.j2")
    return (system, user) if system is not None and user is not None else None


def prompt_file_drift(template: PromptTemplate) -> FileDrift | None:
    """How prompts/<slug>.*.j2 differ from the template's current version; None when they match or are absent."""
    sources = _prompt_sources(template.slug)
    current = template.versions.order_by("-number").first()
    if sources is None or current is None:
        return None
    stored = (current.system_source, current.user_source)
    if sources == stored:
        return None
    diff: list[tuple[str, str]] = []
    for (part, _), before, after in zip(PROMPT_PARTS, stored, sources, strict=True):
        diff += unified_diff(before, after, before_name=f"{current} {part} (stored)", after_name=f"prompts/{template.slug}.{part}.j2")
    return FileDrift(path=f"prompts/{template.slug}.*.j2", diff=diff)


def prompt_load_file(template: PromptTemplate, *, acting_user: Actor, directory: Path | None = None) -> PromptTemplateVersion:
    sources = _prompt_sources(template.slug, directory)
    if sources is None:
        raise CopydeskError(f"There are no readable prompts/{template.slug}.system.j2 and .user.j2 files to load.", code="not_found")
    return prompt_version_create(
        slug=template.slug, name=template.name, system_source=sources[0], user_source=sources[1], description=template.description, acting_user=acting_user
    )


def load_prompt_dir(directory: Path, *, acting_user: Actor, only_missing: bool = False) -> list[str]:
    """Load every NAME.system.j2 + NAME.user.j2 pair as a prompt template version; returns what it did.

    only_missing: leave a template that already has versions as it is (what starting Copydesk does).
    """
    done = []
    for system_file in sorted(directory.glob("*.system.j2")):
        slug = system_file.name.removesuffix(".system.j2")
        if not (directory / f"{slug}.user.j2").exists():
            raise CopydeskError(f"{system_file.name} has no {slug}.user.j2 beside it")
        template = PromptTemplate.objects.filter(slug=slug).first()
        current = template.versions.order_by("-number").first() if template else None
        if only_missing and template is not None and current is not None:
            drift = " (the files differ; load them with load_prompts or on the prompt page)" if prompt_file_drift(template) else ""
            done.append(f"{slug} v{current.number} kept{drift}")
            continue
        if template is None:
            template = PromptTemplate(slug=slug, name=slug.replace("-", " ").capitalize())
        version = prompt_load_file(template, acting_user=acting_user, directory=directory)
        done.append(f"{slug} v{version.number}")
    return done


def seed_guide_file(slug: str, *, acting_user: Actor) -> str:
    """Load brandguide/<slug>.yaml only when the brand has no guide yet; say what was done."""
    brand = Brand.objects.filter(slug=slug).first()
    current = brand.guide_versions.order_by("-number").first() if brand else None
    if brand is None or current is None:
        text = _read(guide_dir() / f"{slug}.yaml")
        if text is None:
            raise CopydeskError(f"There is no readable brandguide/{slug}.yaml to load.")
        return f"{guide_version_create(source_yaml=text, acting_user=acting_user)} loaded"
    drift = " (brandguide file differs; load it with load_brandguide or on the guide page)" if guide_file_drift(brand) else ""
    return f"{current} kept{drift}"
