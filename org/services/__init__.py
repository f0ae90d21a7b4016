"""Writes for the unit tree and the roster. Every change that matters later (names, parents, postings) is kept as
history rows so a past report can be reproduced.

By concern: `units` (the tree), `roster` (officials, accounts), `scopes` (staff roles and the units personnel
officers manage, audited), `import_jobs` (uploaded files written all or nothing). Reading and checking an uploaded file is `org.parsing`'s, which writes nothing and imports none of these.
"""
from .base import ImportResult
from .import_jobs import import_job_confirm, import_job_create, import_job_run, import_jobs_fail_stale
from .roster import official_create, official_transfer, roster_apply, user_for_official
from .scopes import (role_grant, role_revoke, scope_follow_successors, scope_grant, scope_hand_over,
                     scope_revoke)
from .units import unit_close, unit_create, unit_merge, unit_update, units_apply

__all__ = ["ImportResult", "import_job_confirm", "import_job_create", "import_job_run", "import_jobs_fail_stale",
           "official_create", "official_transfer", "role_grant", "role_revoke", "roster_apply",
           "scope_follow_successors", "scope_grant", "scope_hand_over", "scope_revoke", "unit_close", "unit_create",
           "unit_merge", "unit_update", "units_apply", "user_for_official"]
