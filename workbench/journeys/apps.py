from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from workbench.journeys.livecache import live_changed


def _segment_changed(sender: Any, **kwargs: Any) -> None:
    # The content API decides unknown segments and fallback from each segment's slug and sensitivity, kept in the
    # live memory; segments are changed in the brand app, which knows nothing of that memory, so it is told here.
    live_changed()


class JourneysConfig(AppConfig):
    name = "workbench.journeys"
    label = "journeys"

    def ready(self) -> None:
        # Imported here, not at the top: these modules use models, which load only once the app registry is ready.
        from workbench.checks.services import live_publications
        from workbench.journeys.models import Publication

        # Checks sits below journeys: re-certification learns what is live through this registration.
        live_publications.register(Publication.objects.current)
        post_save.connect(_segment_changed, sender="brand.Segment", dispatch_uid="journeys_segment_saved")
        post_delete.connect(_segment_changed, sender="brand.Segment", dispatch_uid="journeys_segment_deleted")
