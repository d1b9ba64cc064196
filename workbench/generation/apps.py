from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "workbench.generation"
    label = "generation"

    def ready(self) -> None:
        # Imported here, not at the top: these modules use models, which load only once the app registry is ready.
        from workbench.brand import prompt_validation
        from workbench.generation import actions, tasks
        from workbench.generation.prompt_validation import prompt_renders_check
        from workbench.generation.providers import check_settings

        # Every process (web, worker, manage.py) stops at start-up on a provider it cannot use.
        check_settings()
        # Brand sits below generation: it validates a prompt template with generation's sandbox through this.
        prompt_validation.prompt_renders_check.register(prompt_renders_check)
        # The actions send jobs to the task that runs them (the task imports the actions, not the other way round).
        actions.job_task.register(tasks.generate_cell)
