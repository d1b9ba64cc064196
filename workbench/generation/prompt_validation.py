"""Whether a prompt template renders: parsed, then rendered in the sandbox for every channel and task mode.

Brand stores prompt templates but sits below generation, which owns the sandbox; GenerationConfig.ready() hands
this check to brand (workbench.brand.prompt_validation).
"""

from __future__ import annotations

from workbench.brand.models import Brand
from workbench.errors import CopydeskError
from workbench.generation.context import sample_prompt_contexts
from workbench.generation.prompting import ENVIRONMENT, render_prompt


def prompt_renders_check(system_source: str, user_source: str) -> None:
    """Refuse a template that cannot render: a saved version every generation fails on helps nobody.

    It is parsed, then rendered in the sandbox (with its hard limits) for every channel and task mode
    against a sample brief, segment and guide, and against each brand's current guide.
    """
    for part, source in (("system", system_source), ("user", user_source)):
        try:
            ENVIRONMENT.parse(source)
        except Exception as exc:  # jinja2.TemplateSyntaxError carries the line
            line = getattr(exc, "lineno", None)
            raise CopydeskError(f"{part} prompt, line {line}: {getattr(exc, 'message', exc)}") from None
    guides = [v.data for v in (b.guide_versions.order_by("-number").first() for b in Brand.objects.order_by("pk")[:5]) if v is not None]
    for label, context in sample_prompt_contexts(guides):
        try:
            render_prompt(system_source, user_source, context)
        except CopydeskError as exc:
            raise CopydeskError(f"{exc.message} (rendering for {label})") from None
