"""Copydesk acting on its own (commands, the demo seed) names itself; no caller gets past a permission by naming nobody."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from workbench.access import SYSTEM, SystemActor
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent
from workbench.brand.actions import segment_save
from workbench.brand.models import Segment
from workbench.errors import CopydeskError
from workbench.journeys.models import ApiClient


@pytest.mark.django_db
def test_it_names_the_command_that_acted_in_the_audit_log(tmp_path):
    call_command("load_brandguide", str(settings.BASE_DIR / "brandguide" / "northwind.yaml"), stdout=io.StringIO())
    call_command("create_api_client", "linter", "--checks", stdout=io.StringIO())
    guide = AuditEvent.objects.get(action="guide.version_create")
    client = AuditEvent.objects.get(action="api_client.create")
    assert (guide.actor_type, guide.actor_label) == ("system", "load_brandguide")
    assert (client.actor_type, client.actor_label) == ("system", "create_api_client")
    assert ApiClient.objects.get(name="linter").created_by is None
    assert verify_chain().ok


@pytest.mark.django_db
def test_it_never_skips_a_permission_for_a_missing_user(brand):
    before = AuditEvent.objects.count()
    with pytest.raises(AttributeError):
        segment_save(brand=brand, slug="nobody", name="Nobody's segment", acting_user=None)  # type: ignore[arg-type]
    assert not Segment.objects.filter(slug="nobody").exists() and AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_the_system_actor_may_do_what_an_admin_may_and_a_marketer_may_not(brand, marketer):
    segment = segment_save(brand=brand, slug="system-made", name="Made by the system", acting_user=SystemActor("seed_demo"))
    event = AuditEvent.objects.get(action="segment.create", object_id=str(segment.pk))
    assert (event.actor_type, event.actor_label, event.actor_id) == ("system", "seed_demo", "")
    with pytest.raises(CopydeskError, match="Only admins") as refused:
        segment_save(brand=brand, slug="marketer-made", name="Made by a marketer", acting_user=marketer)
    assert refused.value.code == "forbidden"
    assert SYSTEM.name == "copydesk-system"
