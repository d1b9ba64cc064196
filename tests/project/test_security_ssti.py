"""Server-side template injection against the prompt sandbox: refused or stopped within 2 s, always with a message."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.urls import reverse

from tests.pipeline import make_brief
from workbench.brand.actions import prompt_version_create
from workbench.brand.models import PromptTemplateVersion
from workbench.errors import CopydeskError
from workbench.generation import actions
from workbench.generation.models import RunStatus
from workbench.generation.prompting import render_source
from workbench.generation.tasks import generate_cell

CONTEXT = {"brief": {"goal": "Bring members back", "key_message": "New boots"}, "variants": 2}

CORPUS = {
    "mro walk": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "attr filter": "{{ ''|attr('__class__')|attr('__mro__') }}",
    "globals via cycler": "{{ cycler.__init__.__globals__.os.system('id') }}",
    "request-less config": "{{ config.items() }}",
    "format_map field walk": "{{ '{0.__class__}'.format_map({'0': 1}) }}",
    "format attribute walk": "{{ '{0.__class__.__mro__}'.format(brief) }}",
    "format width": "{{ '{:>999999999}'.format(1) }}",
    "format width from argument": "{{ '{:>{w}}'.format(1, w=10**9) }}",
    "printf width": "{{ '%0999999999d' % 1 }}",
    "printf star width": "{{ '%*d'|format(999999999, 1) }}",
    "huge range": "{% for i in range(10**9) %}{% endfor %}",
    "huge range list": "{{ range(999999999)|list|length }}",
    "power tower": "{{ 10**(10**10) }}",
    "big exponent": "{{ 2**100000000 }}",
    "string repetition": "{{ 'a' * 10**8 }}",
    "list repetition": "{{ [1] * 10**8 }}",
    "tuple repetition": "{{ (0,) * 10**8 }}",
    "center padding": "{{ 'x'|center(10**9) }}",
    "zfill padding": "{{ 'x'.zfill(10**9) }}",
    "replace blow-up": "{{ 'ab'|replace('a', 'a' * 1000)|replace('a', 'a' * 1000)|replace('a', 'a' * 1000) }}",
    "concat doubling": "{% set x = 'a' * 1000 %}" + "{% set x = x ~ x %}" * 30 + "{{ x|length }}",
    "plus doubling": "{% set x = 'a' * 1000 %}" + "{% set x = x + x %}" * 30 + "{{ x|length }}",
    "namespace doubling": "{% set ns = namespace(x='a') %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x }}",
    "recursive macro doubling": "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}{% endmacro %}{{ d('a', 60) }}",
    "infinite recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "nested loops": "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}",
    "huge output": "{% for a in range(1000) %}{% for b in range(1000) %}{{ 'x' * 1000 }}{% endfor %}{% endfor %}",
    "lipsum": "{{ lipsum(n=10**6) }}",
    "mutating a list": "{% set l = [1] %}{{ l.append(2) }}",
    "undefined name": "{{ os.system('id') }}",
    "syntax error": "{% for %}",
    "unclosed block": "{% if brief %}hello",
    "division by zero": "{{ 1 / 0 }}",
}


@pytest.mark.parametrize("name", CORPUS)
def test_each_payload_is_refused_or_stopped_with_a_message_within_two_seconds(name):
    started = time.monotonic()
    with pytest.raises(CopydeskError) as caught:
        render_source(CORPUS[name], CONTEXT, part="user")
    elapsed = time.monotonic() - started
    assert elapsed < 2.5, f"{name} took {elapsed:.1f} s"
    assert caught.value.message.startswith("user prompt")
    assert len(caught.value.message) > len("user prompt: ")


def test_ordinary_templates_still_render():
    source = "Goal: {{ brief.goal }} {{ 'ok' ~ '!' }} {{ [1, 2]|join(', ') }} {{ '%s-%d' % ('a', 3) }} {{ '{:>5}'.format('x') }} {{ 'x' * 3 }}"
    assert render_source(source, CONTEXT, part="user") == "Goal: Bring members back ok! 1, 2 a-3     x xxx"


@pytest.mark.django_db
def test_a_hostile_prompt_template_fails_its_job_cleanly_and_the_brief_page_explains(brand, prompt, segments, marketer, admin_user, client):
    base = settings.BASE_DIR / "prompts"
    with pytest.raises(CopydeskError, match="not allowed in the sandbox"):  # refused at save ...
        prompt_version_create(
            slug="brand-voice", name="Brand voice", system_source=(base / "brand-voice.system.j2").read_text(),
            user_source="{{ 'x'|center(10**9) }}", acting_user=admin_user,
        )
    # ... so only a version stored before that check existed (or written to the database directly) can reach a job.
    PromptTemplateVersion.objects.create(
        template=prompt, number=2, system_source=(base / "brand-voice.system.j2").read_text(), user_source="{{ 'x'|center(10**9) }}"
    )
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["sms"], variants=1)
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False)
    job = run.jobs.get()
    started = time.monotonic()
    generate_cell.apply(args=(job.pk,))  # the Celery task, run in-process
    assert time.monotonic() - started < 2.5
    job.refresh_from_db()
    assert job.status == RunStatus.FAILED
    assert "not allowed in the sandbox" in job.error and "brand-voice v2" in job.error
    assert not job.drafts.exists()
    client.force_login(marketer)
    page = client.get(reverse("brief_detail", args=[brief.pk]))
    assert page.status_code == 200
    assert "not allowed in the sandbox" in page.content.decode()
