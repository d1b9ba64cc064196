from __future__ import annotations

from django.conf import settings
from django.db import models

from workbench.generation.models import Draft, DraftVersion


class Decision(models.TextChoices):
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"
    REQUEST_CHANGES = "request_changes", "Changes requested"


class ReviewDecision(models.Model):
    """A reviewer's decision on one exact version. Approvals never carry over to a new version."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_decisions")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Two approvals must come from two different reviewers.
            models.UniqueConstraint(
                fields=["version", "reviewer"],
                condition=models.Q(decision="approve"),
                name="one_approval_per_reviewer_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.version} by {self.reviewer}"


class FindingOverride(models.Model):
    """A reviewer's written justification for letting one blocking finding ship."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="overrides")
    finding_key = models.CharField(max_length=300)
    justification = models.TextField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "finding_key"], name="unique_override")]

    def __str__(self) -> str:
        return f"override {self.finding_key} on {self.version}"


class Comment(models.Model):
    """One message in a draft's discussion, pinned to the version it was written about."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment by {self.author} on {self.version}"


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "New in your queue"
    DECISION = "decision", "Decision"
    COMMENT = "comment", "Comment"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person should see next time they look at Copydesk."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"to {self.recipient}: {self.message}"


class DraftPresence(models.Model):
    """Who last had a draft open, and when; rows older than the TTL mean nobody."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["draft", "user"], name="one_presence_per_user_per_draft")]
        indexes = [models.Index(fields=["draft", "seen_at"])]

    def __str__(self) -> str:
        return f"{self.user} on draft {self.draft_id}"


class ReviewDeadline(models.Model):
    """When a submitted draft is due for a decision, and who (if anyone) is working on it now.

    One row per draft, replaced at each submission. A claim is screen state like presence, not content
    state: it is not audited, and it lapses on its own after CLAIM_IDLE of inactivity (review/deadlines.py).
    """

    draft = models.OneToOneField(Draft, on_delete=models.CASCADE, related_name="review_deadline")
    submitted_at = models.DateTimeField()
    due_at = models.DateTimeField()
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claim_active_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["due_at"])]

    def __str__(self) -> str:
        return f"draft {self.draft_id} due {self.due_at:%Y-%m-%d %H:%M}"
