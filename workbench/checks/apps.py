from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "workbench.checks"
    label = "checks"

    def ready(self) -> None:
        # Brand and generation sit below checks in the pipeline: they reach it only through these registrations.
        from workbench.brand.recheck import recheck_reader
        from workbench.brand.signals import guide_changed
        from workbench.checks import actions, services, tasks
        from workbench.generation.version_checks import VersionChecks, version_checks

        version_checks.register(VersionChecks(prepare_check=services.prepare_check, store_check=actions.store_check, run_engine=services.run_engine))
        recheck_reader.register(services.recheck_progress)
        guide_changed.connect(tasks.queue_recertification, dispatch_uid="checks.queue_recertification")
