"""Brand guides, prompt templates and segments: each change is a new immutable version or an audited edit."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from workbench.access import Actor, as_user, require
from workbench.accounts.models import User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.brand.guide_sections import SectionPath, rewrite_sections
from workbench.brand.models import Brand, BrandGuideVersion, PromptTemplate, PromptTemplateVersion, Segment
from workbench.brand.prompt_validation import prompt_renders_check
from workbench.brand.signals import guide_changed
from workbench.checks.engine import GuideError, dump_guide_yaml, parse_guide_yaml
from workbench.errors import CopydeskError
from workbench.outbound import check_url_host


def guide_version_create(
    *, source_yaml: str, acting_user: Actor, expected_slug: str | None = None, base_number: int | None = None
) -> BrandGuideVersion:
    """Validate a guide (Contract 1) and store it as the brand's next version. Unchanged guides make no version.

    base_number: the version the editor started from; if someone saved a newer one meanwhile the edit
    is refused rather than silently undoing theirs.
    """
    require(acting_user.is_copydesk_admin, "Only admins can change brand guides.")
    try:
        data = parse_guide_yaml(source_yaml)
    except GuideError as exc:
        raise CopydeskError(f"The brand guide is invalid: {exc}") from None
    if expected_slug is not None and data["slug"] != expected_slug:
        raise CopydeskError(f"The guide's slug is {data['slug']!r}; it cannot change from {expected_slug!r}.")
    with transaction.atomic():
        brand, created = Brand.objects.select_for_update().get_or_create(slug=data["slug"], defaults={"name": data["name"]})
        latest = brand.guide_versions.order_by("-number").first()
        # What is stored already says this (a second click on Save, a form sent twice): nothing of anyone's is undone.
        if latest is not None and latest.data == data:
            return latest
        if base_number is not None and latest is not None and latest.number != base_number:
            who = latest.created_by.display_name if latest.created_by else "the command line"
            raise CopydeskError(
                f"Version {latest.number} of this guide was saved by {who} while you were editing version {base_number}, "
                f"so your change was not saved (it would undo theirs). Open the guide again to start from version {latest.number}.",
                code="conflict",
            )
        if not created and brand.name != data["name"]:
            brand.name = data["name"]
            brand.save(update_fields=["name"])
        version = BrandGuideVersion.objects.create(
            brand=brand,
            number=(latest.number if latest else 0) + 1,
            data=data,
            source_yaml=source_yaml if source_yaml.strip() else dump_guide_yaml(data),
            created_by=as_user(acting_user),
        )
        record(Action.GUIDE_VERSION_CREATE, version, actor=acting_user, changes={"brand": brand.slug, "number": [latest.number if latest else None, version.number]})
        if latest is not None:
            # Approved and live content is re-checked against the changed guide once this version is committed.
            transaction.on_commit(lambda: guide_changed.send(sender=BrandGuideVersion, version=version), robust=True)
    return version


def guide_section_update(
    *, brand: Brand, changes: Sequence[tuple[SectionPath, object]], base_number: int, acting_user: Actor
) -> tuple[BrandGuideVersion, bool]:
    """Change sections of a guide (its terms, required texts, limits or tone contexts) as a new version.

    Each change is (key path, new value or None to remove the key). The sections' lines are rewritten in
    the YAML of version `base_number` and everything else is kept as written; the result goes through guide_version_create like any YAML edit. Returns the version and whether
    the file's layout and comments were kept (False: the whole guide had to be exported again).
    """
    require(acting_user.is_copydesk_admin, "Only admins can change brand guides.")
    base = BrandGuideVersion.objects.filter(brand=brand, number=base_number).first()
    if base is None:
        raise CopydeskError(f"{brand.name} has no guide version {base_number} to edit.", code="not_found")
    try:
        rewrite = rewrite_sections(base.source_yaml, changes)
    except GuideError as exc:
        raise CopydeskError(f"The brand guide is invalid: {exc}") from None
    version = guide_version_create(source_yaml=rewrite.text, acting_user=acting_user, expected_slug=brand.slug, base_number=base_number)
    return version, rewrite.kept_layout


MAX_PROMPT_SOURCE_CHARS = 50_000


def prompt_version_create(
    *, slug: str, name: str, system_source: str, user_source: str, description: str = "", acting_user: Actor
) -> PromptTemplateVersion:
    require(acting_user.is_copydesk_admin, "Only admins can change prompt templates.")
    for part, source in (("system", system_source), ("user", user_source)):
        if len(source) > MAX_PROMPT_SOURCE_CHARS:
            raise CopydeskError(f"The {part} prompt is {len(source):,} characters; the limit is {MAX_PROMPT_SOURCE_CHARS:,}.")
    prompt_renders_check()(system_source, user_source)  # before the write transaction: rendering takes a separate process
    with transaction.atomic():
        template, _ = PromptTemplate.objects.select_for_update().get_or_create(slug=slug, defaults={"name": name, "description": description})
        latest = template.versions.order_by("-number").first()
        if latest is not None and (latest.system_source, latest.user_source) == (system_source, user_source):
            return latest
        version = PromptTemplateVersion.objects.create(
            template=template, number=(latest.number if latest else 0) + 1,
            system_source=system_source, user_source=user_source, created_by=as_user(acting_user),
        )
        record(Action.PROMPT_VERSION_CREATE, version, actor=acting_user, changes={"template": slug, "number": [latest.number if latest else None, version.number]})
    return version


def segment_save(
    *, brand: Brand, slug: str, name: str, description: str = "", tone_context: str = "", sensitive: bool = False,
    attributes: dict[str, object] | None = None, acting_user: Actor,
) -> Segment:
    require(acting_user.is_copydesk_admin, "Only admins can change segments.")
    contexts = set(((brand.current_guide().data.get("tone") or {}).get("contexts") or {}).keys())
    if tone_context and tone_context not in contexts:
        raise CopydeskError(f"The brand guide has no tone context {tone_context!r}; use one of {', '.join(sorted(contexts)) or 'none'}.")
    with transaction.atomic():
        segment = Segment.objects.select_for_update().filter(brand=brand, slug=slug).first()
        values = {"name": name, "description": description, "tone_context": tone_context, "sensitive": sensitive, "attributes": attributes or {}}
        if segment is None:
            segment = Segment.objects.create(brand=brand, slug=slug, **values)
            record(Action.SEGMENT_CREATE, segment, actor=acting_user, changes={k: [None, v] for k, v in values.items()})
            return segment
        changes = {k: [getattr(segment, k), v] for k, v in values.items() if getattr(segment, k) != v}
        if changes:
            for key, value in values.items():
                setattr(segment, key, value)
            segment.save()
            record(Action.SEGMENT_UPDATE, segment, actor=acting_user, changes=changes)
    return segment


def brand_model_settings_update(brand: Brand, *, llm_model: str, llm_parameters: dict[str, object], acting_user: User) -> Brand:
    """The model and parameters a brand's briefs use unless a brief names its own."""
    require(acting_user.is_copydesk_admin, "Only admins can change a brand's model settings.")
    with transaction.atomic():
        brand = Brand.objects.select_for_update().get(pk=brand.pk)
        before = {"llm_model": brand.llm_model, "llm_parameters": brand.llm_parameters}
        brand.llm_model, brand.llm_parameters = llm_model.strip(), llm_parameters
        changes = {key: [before[key], getattr(brand, key)] for key in before if before[key] != getattr(brand, key)}
        if changes:
            brand.save(update_fields=["llm_model", "llm_parameters"])
            record(Action.BRAND_UPDATE, brand, actor=acting_user, changes=changes)
    return brand


def brand_review_webhook_update(brand: Brand, *, url: str, acting_user: User) -> Brand:
    """The Slack-compatible incoming webhook review notices are posted to; blank turns it off."""
    require(acting_user.is_copydesk_admin, "Only admins can change a brand's review webhook.")
    url = url.strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise CopydeskError("The webhook must be an http:// or https:// address, such as the incoming-webhook URL Slack gives you.") from None
        if len(url) > Brand._meta.get_field("review_webhook_url").max_length:  # type: ignore[operator]
            raise CopydeskError("That webhook address is too long (500 characters at most).")
        check_url_host(url)
    with transaction.atomic():
        brand = Brand.objects.select_for_update().get(pk=brand.pk)
        if brand.review_webhook_url != url:
            # The URL is a secret of sorts (anyone holding it can post): the audit records that it changed, not its value.
            record(Action.BRAND_UPDATE, brand, actor=acting_user, changes={"review_webhook": ["set" if brand.review_webhook_url else "none", "set" if url else "none"]})
            brand.review_webhook_url = url
            brand.save(update_fields=["review_webhook_url"])
    return brand
