from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "workbench.review"
    label = "review"

    def ready(self) -> None:
        # Imported here, not at the top: these modules use models, which load only once the app registry is ready.
        from workbench.generation import edit_rule, services
        from workbench.review import actions, feedback

        # Generation sits below review: its prompts learn from reviewers' rejections, and its edit rule reaches
        # review's side (a reviewer's edit stays in review and tells the author) through these registrations.
        services.past_rejections.register(feedback.rejection_reasons)
        edit_rule.on_kept_in_review.register(actions.edited_in_review)
