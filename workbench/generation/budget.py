"""What generation costs, and the limits that stop runaway spending."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from workbench.accounts.models import User
from workbench.errors import CopydeskError
from workbench.generation.models import Brief, Draft, GenerationJob
from workbench.generation.providers import price_table


def estimate_cost(model: str, input_tokens: int, output_tokens: int) -> Decimal:
    """USD from the providers' prices and COPYDESK_PRICE_TABLE; a model neither lists costs what it says: unknown, so 0."""
    table = price_table()
    prices = table.get(model)
    if prices is None:
        # Provider model names carry dates (gpt-4o-mini-2024-07-18): match the longest listed prefix.
        matches = [name for name in table if model.startswith(name)]
        prices = table[max(matches, key=len)] if matches else (0.0, 0.0)
    cost = (input_tokens * prices[0] + output_tokens * prices[1]) / 1_000_000
    return Decimal(str(round(cost, 6)))


def tokens_used_today(user: User) -> int:
    start = timezone.now().astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    totals = GenerationJob.objects.filter(run__created_by=user, finished_at__gte=start).aggregate(
        i=Sum("input_tokens"), o=Sum("output_tokens")
    )
    return int(totals["i"] or 0) + int(totals["o"] or 0)


def check_token_budget(user: User) -> None:
    budget = settings.DAILY_TOKEN_BUDGET
    if budget and (used := tokens_used_today(user)) >= budget:
        raise CopydeskError(
            f"{user.display_name} has used {used:,} of the {budget:,} tokens allowed per day; generation resumes tomorrow (UTC) "
            "or an admin can raise COPYDESK_DAILY_TOKEN_BUDGET.",
            code="forbidden",
        )


def check_brief_cap(brief: Brief, new_drafts: int) -> None:
    cap = settings.MAX_DRAFTS_PER_BRIEF
    existing = Draft.objects.filter(brief=brief).count()
    if existing + new_drafts > cap:
        raise CopydeskError(
            f"This would make {existing + new_drafts} drafts for one brief; the limit is {cap}. "
            "Fewer segments, channels or variants, or a new brief, stay within it.",
            code="conflict",
        )
