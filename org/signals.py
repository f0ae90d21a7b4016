"""Signals other apps listen to (the LMS re-assigns training requirements when the roster changes)."""
from django.dispatch import Signal

# Sent after a commit that created officials, moved them between units or changed what requirements select on
# (role flags, category, rank, status); kwargs: official_ids (a list). Receivers must be idempotent.
roster_changed = Signal()
