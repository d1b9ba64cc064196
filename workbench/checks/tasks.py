from __future__ import annotations

from celery import shared_task

from workbench.brand.models import BrandGuideVersion
from workbench.checks import actions


@shared_task(acks_late=True, reject_on_worker_lost=True)
def recertify_guide(guide_version_id: int) -> None:
    """Re-check approved and live content against a new guide version. Takes an id; the work is in the action."""
    actions.recertify(BrandGuideVersion.objects.select_related("brand").get(pk=guide_version_id))


def queue_recertification(sender: object, *, version: BrandGuideVersion, **kwargs: object) -> None:
    """Receiver of brand's guide_changed (connected in ChecksConfig.ready): the re-check runs in a worker."""
    recertify_guide.delay(version.pk)
