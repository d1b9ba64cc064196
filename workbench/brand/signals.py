"""What the brand app announces to the apps above it, which it must not import."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once a changed guide's new version is committed (not for a brand's first version), with `version`:
# the checks app re-checks approved and live content against it.
guide_changed = Signal()
