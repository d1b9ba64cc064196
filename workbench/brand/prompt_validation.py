"""How brand asks whether a prompt template renders, without importing generation (which sits above it).

Generation owns the Jinja2 sandbox and registers its check here from GenerationConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable

from workbench.plug_points import PlugPoint

# Raises CopydeskError (with the part and line) when the system or user source cannot render.
PromptCheck = Callable[[str, str], None]

prompt_renders_check: PlugPoint[PromptCheck] = PlugPoint("the prompt template check", provided_by="workbench.generation")
