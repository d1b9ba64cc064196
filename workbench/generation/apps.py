from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "workbench.generation"
    label = "generation"

    def ready(self) -> None:
        # Every process (web, worker, manage.py) stops at start-up on a provider it cannot use.
        from workbench.brand.prompt_validation import register_prompt_renders_check
        from workbench.generation.prompt_validation import prompt_renders_check
        from workbench.generation.providers import check_settings

        check_settings()
        # Brand sits below generation: it validates a prompt template with generation's sandbox through this.
        register_prompt_renders_check(prompt_renders_check)
