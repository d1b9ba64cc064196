"""What saving a new version does to a draft's state: one rule for every way a version is made.

The rule (README, "Reviewers' edits"): a reviewer who edits a draft that is in review makes a new version that
stays in review. The reviewer becomes one of the draft's authors, so the approval policy never counts them as an
approver of it (someone else must approve), and the draft's author is told. Any other edit (the author's own, or
an edit of a draft that is approved or was rejected) takes the draft back to Draft, for its author to submit.

The editor, the one-click fix of a finding, and a rewrite or regeneration all store their version through
generation.actions, which asks `keeps_review`; the draft page says the same sentence next to the editor.
Telling the author (and releasing the reviewer's claim) belongs to review, above generation in the pipeline,
which plugs in `on_kept_in_review` from its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable

from workbench.accounts.models import User
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.plug_points import PlugPoint


def keeps_review(draft: Draft, editor: User) -> bool:
    """True when this person's edit leaves the draft in review: a reviewer, not the draft's author, editing it there."""
    return draft.state == DraftState.IN_REVIEW and editor.can_review and editor.pk != draft.created_by_id


def edit_outcome(draft: Draft, editor: User, *, author_name: str = "") -> str:
    """The sentence the page shows next to the editor: what saving will do, from the same rule the server applies."""
    if keeps_review(draft, editor):
        author = author_name or "the author"
        return (
            "You are reviewing this draft: saving makes a new version that stays in review. "
            f"You become one of its authors, so another reviewer must approve it, and {author} is told."
        )
    if draft.state == DraftState.IN_REVIEW:
        return "Saving makes a new version and takes the draft out of review: submit it again when it is ready."
    if draft.state == DraftState.APPROVED:
        return "Saving makes a new version; the approval stays with the approved version, and the new one must be submitted and approved again."
    return "Saving makes a new version; it is checked again and needs a fresh approval."


def saved_message(draft: Draft, version: DraftVersion) -> str:
    """What the person who just saved is told, after the fact."""
    if draft.state == DraftState.IN_REVIEW:
        return (
            f"Saved as version {version.number}. It stays in review and was checked again; "
            "you are now one of its authors, so another reviewer must approve it. Its author was told."
        )
    return f"Saved as version {version.number}. It was checked again and needs a fresh review; submit it when ready."


# Called inside the transaction that stored a version a reviewer made on a draft in review.
KeptInReview = Callable[[Draft, DraftVersion, User], None]
on_kept_in_review: PlugPoint[KeptInReview] = PlugPoint("what review does when a reviewer edits a draft in review", provided_by="workbench.review")
