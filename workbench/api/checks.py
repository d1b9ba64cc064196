from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from workbench.api.core import client_of
from workbench.brand.models import BrandGuideVersion
from workbench.checks.engine import MAX_FIELD_CHARS, EngineInputError, FieldTooLargeError, check_fields
from workbench.checks.engine.channels import CHANNELS, describe_channels
from workbench.checks.services import compiled_guide
from workbench.errors import CopydeskError

router: Router = Router(tags=["checks"])


class CheckIn(Schema):
    brand: str = Field(pattern=r"^[a-z0-9-]{1,64}$", description="The brand's slug.")
    channel: str = Field(description=f"One of: {', '.join(CHANNELS)}.")
    context: str | None = None
    locale: str | None = Field(
        default=None, max_length=64,
        description="The copy's locale, e.g. es-US; omitted: the brand's default locale. "
        "A locale the brand's guide does not declare is refused with 422.",
    )
    fields: dict[str, str] = Field(
        description=f"The message's fields, by channel: {describe_channels()}; each at most {MAX_FIELD_CHARS:,} characters "
        "(a longer one is refused with 413). Fields marked HTML are read as HTML, every other field as plain text."
    )
    id: str | None = None


class FindingOut(Schema):
    kind: str
    rule: str
    severity: str
    field: str
    start: int
    end: int
    match: str
    message: str
    suggestion: str | None


class CheckOut(Schema):
    id: str | None
    passed: bool
    findings: list[FindingOut]


@router.post("", response=CheckOut, summary="Check copy against a brand's current guide", description="Documented in Copydesk's docs/check-copy.md.")
def post_check(request: HttpRequest, payload: CheckIn) -> dict[str, Any]:
    if not client_of(request).can_check:
        raise CopydeskError("This API client may not run checks; ask an admin to give it the checks scope.", code="forbidden")
    guide_version = BrandGuideVersion.objects.filter(brand__slug=payload.brand).order_by("-number").first()
    if guide_version is None:
        raise CopydeskError(f"Unknown brand {payload.brand!r}.", code="not_found")
    compiled = compiled_guide(guide_version)
    try:
        compiled.for_locale(payload.locale)
    except EngineInputError as exc:
        # the request is well-formed JSON but names a locale this brand does not write in
        raise HttpError(422, _sentence(str(exc))) from None
    try:
        result = check_fields(compiled, payload.channel, payload.fields, payload.context, payload.locale)
    except FieldTooLargeError as exc:
        raise HttpError(413, _sentence(str(exc))) from None
    except EngineInputError as exc:
        raise CopydeskError(str(exc)) from None
    return result.to_dict(id=payload.id)


def _sentence(message: str) -> str:
    return f"{message[:1].upper()}{message[1:]}."
