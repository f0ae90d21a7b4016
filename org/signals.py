"""Signals other apps listen to (the LMS re-assigns training requirements when the roster changes)."""
from django.dispatch import Signal

# Sent after a commit that created officials, moved them between units or changed what requirements select on
# (role flags, category, rank, status); kwargs: official_ids (a list). Receivers must be idempotent.
roster_changed = Signal()

# Sent while a reorganisation is previewed; kwargs: unit_ids (the units that close). Receivers return a list of
# {"title": str, "count": int, "rows": [str, …]} describing what of theirs is affected (open sittings, …).
reorganisation_impact = Signal()
