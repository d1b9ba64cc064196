"""What generation costs, and the limits that stop runaway spending."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from workbench.accounts.models import User
from workbench.errors import CopydeskError
from workbench.generation.models import Brief, Draft, GenerationJob, JobMode, RunStatus
from workbench.generation.providers import price_table


def model_prices(model: str) -> tuple[float, float] | None:
    """USD per million input and output tokens from the providers' prices and COPYDESK_PRICE_TABLE; None when unlisted."""
    table = price_table()
    prices = table.get(model)
    if prices is None:
        # Provider model names carry dates (gpt-4o-mini-2024-07-18): match the longest listed prefix.
        matches = [name for name in table if model.startswith(name)]
        prices = table[max(matches, key=len)] if matches else None
    return prices


def estimate_cost(model: str, input_tokens: int, output_tokens: int) -> Decimal:
    """USD from the providers' prices and COPYDESK_PRICE_TABLE; a model neither lists costs what it says: unknown, so 0."""
    prices = model_prices(model) or (0.0, 0.0)
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


def reserved_drafts(brief: Brief) -> int:
    """Drafts that the brief's queued and running jobs will add when they finish: room the cap keeps for them."""
    pending = GenerationJob.objects.filter(
        run__brief=brief, run__cancelled=False, status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
        mode__in=[JobMode.GENERATE, JobMode.MORE_LIKE_THIS],
    )
    return int(pending.aggregate(n=Sum("variants"))["n"] or 0)


def check_brief_cap(brief: Brief, new_drafts: int) -> None:
    """Refuse work that would take a brief over the draft cap, counting what queued jobs will still write.

    Call inside the transaction that queues the work, with the brief locked (select_for_update on PostgreSQL;
    SQLite's IMMEDIATE transactions serialise writers), so two requests cannot both take the last room.
    """
    cap = settings.MAX_DRAFTS_PER_BRIEF
    existing, reserved = Draft.objects.filter(brief=brief).count(), reserved_drafts(brief)
    if existing + reserved + new_drafts > cap:
        waiting = f" ({reserved} of them still being written)" if reserved else ""
        raise CopydeskError(
            f"This would make {existing + reserved + new_drafts} drafts for one brief{waiting}; the limit is {cap}. "
            "Fewer segments, channels or variants, or a new brief, stay within it.",
            code="conflict",
        )
