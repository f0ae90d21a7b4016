"""Coverage as of any date D, computed from the dated records, so a past report reads the same whenever it is
produced (a nightly `CoverageSnapshot` is only a cache of this, checked by `snapshot_differences`).

What each figure is on D:

- **The tree**: the units whose version (`org.selectors.unit_tree_on`) spans D, with that version's name, kind and
  parent. Paths and depths are rebuilt from those parents. A unit created after D, or closed or merged on or
  before D, is not in the tree; a unit whose parent is not in D's tree is taken as a root.
- **Where each official was**: the latest posting (`org.models.Transfer`) with an effective date on or before D.
  An official whose postings all start after D was not on the roster yet and is not counted. Every way onto the
  roster (`org.services.official_create`, the roster import, the demo) records a first posting, so everyone has
  one; `snapshot_differences` would show anyone who had not (counted live, absent from the history).
- **Who was in the audience**: the assignments made on or before D and not deactivated on or before D. Officials
  who left (retired, transferred out) or left a requirement's audience have their assignment deactivated on that
  day, so they count up to it and not after; their unit is that of their postings.
- **Each assignment's status on D**: `lms.rules.assignment_status` with D as "today": completed while a completion
  recorded on or before D is valid beyond D + the requirement's renewal window (or never expires), expiring while
  it is valid past D, overdue once it has expired or, with none, once the due date is before D; in progress once
  started on or before D; otherwise not started. The completions are the `lms.models.Completion` rows (kept for
  ever) plus the assignment's own latest completion.

All of this is one aggregate SQL query (`history_counts`), the same on SQLite and PostgreSQL; the roll-up is
`scoring.coverage.rollup` on D's tree (`reports.selectors.coverage_report`).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db import connection
from django.utils import timezone

from lms.models import Assignment, Completion, Requirement
from org.models import Transfer, Unit
from org.selectors import Scope, unit_successors, unit_tree_on

from scoring import coverage

TREE_FIELDS = ("id", "parent_id", "path", "depth", "name", "code", "kind", "active_to", "closed_on")


def day_end(on: dt.date) -> dt.datetime:
    """The first moment after D in the site's time zone: a datetime before it happened on or before D."""
    return timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))


def tree_on(on: dt.date) -> pd.DataFrame:
    """The unit tree as it stood on D: one row per unit with the name, kind and parent of that day, the path and
    depth rebuilt from those parents, and `closed_on` (the unit's closing date when it has closed since)."""
    seen: dict[int, dict] = {}
    for row in unit_tree_on(on):
        seen.setdefault(int(row["id"]), row)  # one row per unit, whatever the history holds
    by_code = {r["code"]: uid for uid, r in seen.items()}
    parent = {uid: by_code.get(r["parent_code"]) if r["parent_code"] else None for uid, r in seen.items()}

    def path_of(uid: int) -> list[int]:
        chain, current = [], uid
        while current is not None and current not in chain:  # a cycle in bad history stops the walk
            chain.append(current)
            current = parent.get(current)
        return chain[::-1]

    closed = dict(Unit.objects.filter(active_to__isnull=False).values_list("id", "active_to"))  # a few
    rows = []
    for uid, r in seen.items():
        ids = path_of(uid)
        rows.append({"id": uid, "parent_id": parent[uid], "path": "/" + "/".join(map(str, ids)) + "/",
                     "depth": len(ids) - 1, "name": r["name"], "code": r["code"], "kind": r["kind"],
                     # Every unit of D's tree was active on D: a report for D lists them all.
                     "active_to": None, "closed_on": closed.get(uid)})
    return pd.DataFrame(rows, columns=list(TREE_FIELDS))


def scoped_tree(scope: Scope, on: dt.date) -> pd.DataFrame:
    """D's tree as far as a scope reaches: everything for administrators; for others, the part of D's tree below
    (or at) a unit in their scope today (`Scope.units()`)."""
    tree = tree_on(on)
    if scope.all_units or tree.empty:
        return tree
    mine = set(scope.units().values_list("id", flat=True))
    keep = [bool(mine.intersection(int(p) for p in path.strip("/").split("/"))) for path in tree["path"]]
    return tree[keep].reset_index(drop=True)


def _windows(requirement_ids: list[int] | None) -> dict[int, int]:
    qs = Requirement.objects.all() if requirement_ids is None else Requirement.objects.filter(pk__in=requirement_ids)
    return dict(qs.values_list("id", "renewal_window_days"))


def history_counts(*, on: dt.date, requirement_ids: list[int] | None = None,
                   unit_ids: list[int] | None = None) -> pd.DataFrame:
    """Assignments per (official's unit on D, requirement, status on D), in `live_counts`' shape, from the dated
    records (see the module's docstring): one aggregate query. `unit_ids` keeps the officials of those units."""
    cols = ["unit_id", "requirement_id", "status", "n"]
    query = history_sql(on=on, requirement_ids=requirement_ids, unit_ids=unit_ids)
    if query is None:
        return pd.DataFrame(columns=cols)
    with connection.cursor() as cur:
        cur.execute(*query)
        rows = cur.fetchall()
    return pd.DataFrame(rows, columns=cols)


def history_sql(*, on: dt.date, requirement_ids: list[int] | None = None, unit_ids: list[int] | None = None
                ) -> tuple[str, dict] | None:
    """The SQL of `history_counts` and its parameters (None when there is nothing to count)."""
    windows = _windows(requirement_ids)
    if not windows or (unit_ids is not None and not unit_ids):
        return None
    ops = connection.ops
    params: dict = {"on": ops.adapt_datefield_value(on), "end": ops.adapt_datetimefield_value(day_end(on))}
    # D + each requirement's renewal window: a CASE keeps the date arithmetic out of SQL (it differs per database).
    whens = []
    for k, (rid, days) in enumerate(sorted(windows.items())):
        params[f"r{k}"], params[f"w{k}"] = rid, ops.adapt_datefield_value(on + dt.timedelta(days=days))
        whens.append(f"WHEN %(r{k})s THEN %(w{k})s")
    window = f"CASE a.requirement_id {' '.join(whens)} END"
    in_list = ", ".join(f"%(r{k})s" for k in range(len(windows)))
    in_units = ""
    if unit_ids is not None:
        params.update({f"u{k}": int(uid) for k, uid in enumerate(unit_ids)})
        in_units = f"AND t.to_unit_id IN ({', '.join(f'%(u{k})s' for k in range(len(unit_ids)))})"
    # Past the case's own latest completion (the assignment's fields), the Completion rows on or before D.
    own_done = "a.completed_at < %(end)s"
    sql = f"""
        WITH posting AS (
            SELECT t.official_id, t.to_unit_id AS unit_id FROM {Transfer._meta.db_table} t
            WHERE t.effective_date <= %(on)s {in_units} AND NOT EXISTS (
                SELECT 1 FROM {Transfer._meta.db_table} later
                WHERE later.official_id = t.official_id AND later.effective_date <= %(on)s
                  AND (later.effective_date > t.effective_date
                       OR (later.effective_date = t.effective_date AND later.id > t.id)))),
        done AS (
            SELECT c.official_id, c.requirement_id, MAX(CASE WHEN c.expires_at IS NULL THEN 1 ELSE 0 END) AS forever,
                   MAX(c.expires_at) AS expires_at
            FROM {Completion._meta.db_table} c
            WHERE c.completed_at < %(end)s AND c.requirement_id IN ({in_list})
            GROUP BY c.official_id, c.requirement_id),
        dated AS (
            SELECT p.unit_id, a.requirement_id,
                   CASE
                     WHEN d.forever = 1 OR d.expires_at > {window}
                          OR ({own_done} AND (a.expires_at IS NULL OR a.expires_at > {window})) THEN 'completed'
                     WHEN d.expires_at > %(on)s OR ({own_done} AND a.expires_at > %(on)s) THEN 'expiring'
                     WHEN d.official_id IS NOT NULL OR {own_done} OR a.due_at < %(on)s THEN 'overdue'
                     WHEN a.started_at < %(end)s THEN 'in_progress'
                     ELSE 'not_started'
                   END AS status
            FROM {Assignment._meta.db_table} a
            JOIN posting p ON p.official_id = a.official_id
            LEFT JOIN done d ON d.official_id = a.official_id AND d.requirement_id = a.requirement_id
            WHERE a.requirement_id IN ({in_list}) AND a.assigned_at < %(end)s
              AND (a.deactivated_at IS NULL OR a.deactivated_at >= %(end)s))
        SELECT unit_id, requirement_id, status, COUNT(*) AS n FROM dated GROUP BY unit_id, requirement_id, status
    """
    return sql, params


def successor_notes(unit_ids) -> dict[int, list[dict]]:
    """For the units of a past report that have been merged away since: who carries them on today (code, name)."""
    return {uid: [{"id": u.pk, "code": u.code, "name": u.name} for u in units]
            for uid, units in unit_successors(unit_ids).items()}


def snapshot_differences(*, on: dt.date) -> list[dict]:
    """Where the nightly snapshot dated D disagrees with the figures computed from the history for D: one dict
    per (unit, requirement) with both sets of status counts. Empty when they agree (or there is no snapshot)."""
    from .models import CoverageSnapshot

    stored = pd.DataFrame(list(CoverageSnapshot.objects.filter(date=on).values_list(
        "unit_id", "requirement_id", *coverage.STATUSES)), columns=["unit_id", "requirement_id", *coverage.STATUSES])
    if stored.empty:
        return []
    computed = coverage.wide_counts(history_counts(on=on, requirement_ids=sorted(
        int(r) for r in stored["requirement_id"].unique())))
    both = stored.merge(computed, on=["unit_id", "requirement_id"], how="outer", suffixes=("_snapshot", "_history"))
    both = both.fillna(0)
    differs = pd.Series(False, index=both.index)
    for s in coverage.STATUSES:
        differs |= both[f"{s}_snapshot"].astype(int) != both[f"{s}_history"].astype(int)
    out = []
    for r in both[differs].to_dict("records"):
        out.append({"unit_id": int(r["unit_id"]), "requirement_id": int(r["requirement_id"]),
                    "snapshot": {s: int(r[f"{s}_snapshot"]) for s in coverage.STATUSES},
                    "history": {s: int(r[f"{s}_history"]) for s in coverage.STATUSES}})
    return out
