from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "workbench.review"
    label = "review"

    def ready(self) -> None:
        # Generation sits below review in the pipeline: it reaches review's side of the edit rule through this.
        from workbench.generation.edit_rule import on_kept_in_review
        from workbench.review.actions import edited_in_review

        on_kept_in_review.register(edited_in_review)
