from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "workbench.review"
    label = "review"

    def ready(self) -> None:
        # Imported here, not at the top: these modules use models, which load only once the app registry is ready.
        from workbench.generation import services
        from workbench.review import feedback

        # Generation sits below review: its prompts learn from reviewers' rejections through this registration.
        services.past_rejections.register(feedback.rejection_reasons)
