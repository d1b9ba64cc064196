"""Duplicates are refused by the database's unique constraints, so a look-up that raced with another insert cannot
let one through or end in a server error."""

from __future__ import annotations

import pytest
from django.db.models.query import QuerySet

from workbench.accounts import actions as accounts
from workbench.accounts.models import Role, User
from workbench.errors import CopydeskError
from workbench.journeys import actions as journeys
from workbench.journeys.models import Journey


@pytest.fixture
def raced_lookups(monkeypatch):  # type: ignore[no-untyped-def]
    """Every exists() look-up answers "no", as it would for a request whose twin inserts right after it looked."""
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)


@pytest.mark.django_db
def test_a_duplicate_journey_slug_is_a_conflict_even_after_a_raced_look_up(brand, publisher, raced_lookups):
    journeys.journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    with pytest.raises(CopydeskError, match="already exists") as refused:
        journeys.journey_create(brand=brand, slug="welcome", name="Welcome again", acting_user=publisher)
    assert refused.value.code == "conflict" and Journey.objects.filter(slug="welcome").count() == 1


@pytest.mark.django_db
def test_a_duplicate_username_is_a_conflict_even_after_a_raced_look_up(admin_user, raced_lookups):
    accounts.user_create(username="nora", password="a-long-enough-passphrase", role=Role.MARKETER, acting_user=admin_user)
    with pytest.raises(CopydeskError, match="already exists") as refused:
        accounts.user_create(username="nora", password="another-long-passphrase", role=Role.REVIEWER, acting_user=admin_user)
    assert refused.value.code == "conflict" and User.objects.filter(username="nora").count() == 1
