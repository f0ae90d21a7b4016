"""Coverage of training requirements per unit, rolled up the unit tree. Pure: pandas in, pandas out; no models.

Inputs (built by `reports.selectors` from the database or from snapshots):

- counts: one row per (unit_id, requirement_id, status) with `n` assignments, status being the stored
  `lms.models.Assignment.status` (not_started, in_progress, completed, expiring, overdue);
- units: id, path ("/1/5/9/", ancestors' ids then its own), plus whatever labels the caller wants kept
  (name, code, kind, parent_id, depth);
- requirements: id and target_percent (100 when absent).

What counts as done. `completed` and `expiring` are both completed and still valid: an expiring completion is one
whose validity ends within the renewal window, but until that day the official satisfies the requirement. An
expired completion is stored as `overdue` by the LMS (its renewal was due on the expiry date), so it does not
count. The audience is every active assignment: done + in progress + not started + overdue.

Roll-up. A unit's figures are the sum over its whole subtree (itself and every unit whose path starts with its
path). Percentages, targets and gaps are computed on each level's own totals, never averaged: the province's
coverage is the province's done ÷ the province's audience. The gap is how many more people must complete for the
level to reach its target: max(0, ceil(audience × target%) − done).
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

STATUSES = ("completed", "expiring", "in_progress", "not_started", "overdue")
DONE_STATUSES = ("completed", "expiring")
FIGURES = ("audience", "done", "in_progress", "not_started", "overdue", "expiring")
DEFAULT_TARGET = 100.0

# Reporting periods of the plan (V.1.c): Q1, 6 months, 9 months, the year. Figures are as of the period's last day.
PERIODS = {"q1": (3, 31), "h1": (6, 30), "m9": (9, 30), "year": (12, 31)}


def target_count(audience: int, target_percent: float) -> int:
    """How many people must have completed for `target_percent` of `audience` (rounded up: 95% of 21 is 20)."""
    # The small epsilon keeps 100% of 7 at 7 despite 7 × 100 / 100 landing a hair above 7 in floating point.
    return int(math.ceil(audience * float(target_percent) / 100.0 - 1e-9)) if audience else 0


def coverage_percent(done: int, audience: int) -> float | None:
    """done ÷ audience in percent, None when nobody is in the audience (shown as a dash, not as 0% or 100%)."""
    return 100.0 * done / audience if audience else None


def gap(done: int, audience: int, target_percent: float) -> int:
    """People who still have to complete for the target to be met (0 when it is met)."""
    return max(0, target_count(audience, target_percent) - done)


def figures(*, completed: int = 0, expiring: int = 0, in_progress: int = 0, not_started: int = 0, overdue: int = 0,
            target_percent: float = DEFAULT_TARGET) -> dict:
    """The figures of one line of a report from its status counts."""
    done = int(completed) + int(expiring)
    audience = done + int(in_progress) + int(not_started) + int(overdue)
    return {"audience": audience, "done": done, "expiring": int(expiring), "in_progress": int(in_progress),
            "not_started": int(not_started), "overdue": int(overdue), "target_percent": float(target_percent),
            "coverage": coverage_percent(done, audience), "target_count": target_count(audience, target_percent),
            "gap": gap(done, audience, target_percent), "missing": audience - done}


def ancestry(units: pd.DataFrame) -> pd.DataFrame:
    """(unit_id, ancestor_id) for every unit and each of its ancestors and itself that is present in `units`.
    Ancestors outside the frame (above a personnel officer's subtree) are left out, so roll-ups stop there."""
    known = set(int(i) for i in units["id"])
    pairs = []
    for uid, path in zip(units["id"], units["path"]):
        uid = int(uid)
        # The path ends with the unit's own id; adding it again costs nothing and covers a path that does not.
        ids = {int(part) for part in str(path).strip("/").split("/") if part} | {uid}
        pairs.extend((uid, a) for a in ids if a in known)
    return pd.DataFrame(pairs, columns=["unit_id", "ancestor_id"]).drop_duplicates()


def _check_statuses(counts: pd.DataFrame) -> None:
    # A status this module does not know would otherwise vanish from the audience: refuse it loudly.
    unknown = set(pd.unique(counts["status"])) - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown assignment status: {sorted(unknown)}")


def wide_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """(unit_id, requirement_id) → one column per status, zeros filled."""
    if counts.empty:
        return pd.DataFrame(columns=["unit_id", "requirement_id", *STATUSES]).astype("int64")
    _check_statuses(counts)
    wide = (counts.groupby(["unit_id", "requirement_id", "status"])["n"].sum().unstack("status", fill_value=0)
            .reindex(columns=list(STATUSES), fill_value=0).reset_index())
    wide.columns.name = None
    return wide.astype({c: "int64" for c in ("unit_id", "requirement_id", *STATUSES)})


def _figures(arr: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
    """Derived figures, vectorised, for an array of status counts shaped (requirements, units, statuses)."""
    cols = {s: arr[:, :, k].reshape(-1) for k, s in enumerate(STATUSES)}
    done = cols["completed"] + cols["expiring"]
    audience = done + cols["in_progress"] + cols["not_started"] + cols["overdue"]
    target = np.repeat(targets, arr.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = np.where(audience > 0, 100.0 * done / np.where(audience > 0, audience, 1), np.nan)
    # The small epsilon keeps 100% of 7 at 7 despite floating point (see `target_count`).
    needed = np.clip(np.ceil(audience * target / 100.0 - 1e-9), 0, None).astype("int64")
    cols.update(done=done, audience=audience, missing=audience - done, target_percent=target, coverage=cov,
                target_count=needed, gap=np.clip(needed - done, 0, None))
    return cols


def _path_key(path) -> tuple[int, ...]:
    # "/1/10/" after "/1/9/": paths compare as lists of ids, not as strings.
    return tuple(int(p) for p in str(path).strip("/").split("/") if p)


# How a report lists sub-units: departments, then cities and districts, then wards and communes, then sections,
# each group by its code (the statistics office's codes follow the province's customary order).
KIND_ORDER = {"department": 0, "city": 1, "town": 1, "district": 1, "ward": 2, "township": 2, "commune": 2,
              "section": 3}


def child_order(record: dict) -> tuple:
    return (KIND_ORDER.get(record.get("kind"), 4), str(record.get("code", "")))


OWN = ("audience", "done", "expiring", "in_progress", "not_started", "overdue", "coverage", "gap", "missing")


def rollup(counts: pd.DataFrame, units: pd.DataFrame, requirements: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per (requirement, unit): the subtree's figures (audience, done, expiring, in_progress, not_started,
    overdue, coverage %, target %, target_count, gap, missing) and the unit's own ones (prefixed `own_`).

    Every unit of `units` appears for every requirement of `requirements` (or of `counts` when not given), with
    zeros where nobody is in the audience, so a report can list a unit that has no one to train. Rows come
    ordered by requirement, then by unit path (the tree in reading order)."""
    if len(counts):
        _check_statuses(counts)
    if requirements is not None and len(requirements):
        req_ids = [int(r) for r in requirements["id"]]
        tp = requirements["target_percent"] if "target_percent" in requirements else DEFAULT_TARGET
        targets = np.asarray(pd.Series(tp, index=requirements.index).fillna(DEFAULT_TARGET), dtype=float)
    else:
        req_ids = sorted(int(r) for r in pd.unique(counts["requirement_id"])) if len(counts) else []
        targets = np.full(len(req_ids), DEFAULT_TARGET)
    ordered = units.iloc[sorted(range(len(units)), key=lambda i: _path_key(units["path"].iat[i]))] \
        if "path" in units.columns else units
    unit_ids = ordered["id"].astype("int64").to_numpy()
    u_index, r_index = pd.Index(unit_ids), pd.Index(req_ids)
    n_req, n_unit, n_status = len(req_ids), len(unit_ids), len(STATUSES)

    own = np.zeros((n_req, n_unit, n_status), dtype="int64")
    if len(counts):
        ui = u_index.get_indexer(counts["unit_id"].astype("int64"))
        ri = r_index.get_indexer(counts["requirement_id"].astype("int64"))
        si = pd.Index(STATUSES).get_indexer(counts["status"])
        keep = (ui >= 0) & (ri >= 0)  # rows outside the units or requirements asked for are left out
        np.add.at(own, (ri[keep], ui[keep], si[keep]), counts["n"].to_numpy(dtype="int64")[keep])
    # below[u, a] = 1 when a is u itself or one of its ancestors: a subtree's sum is one matrix product.
    below = np.zeros((n_unit, n_unit), dtype="int64")
    anc = ancestry(ordered)
    below[u_index.get_indexer(anc["unit_id"]), u_index.get_indexer(anc["ancestor_id"])] = 1
    # Float matrix product (BLAS); counts stay exact far beyond any roster's size.
    rolled = np.rint(np.matmul(own.transpose(0, 2, 1).astype(float), below.astype(float))).astype("int64")
    rolled = rolled.transpose(0, 2, 1)

    columns = {"requirement_id": np.repeat(np.asarray(req_ids, dtype="int64"), n_unit),
               "unit_id": np.tile(unit_ids, n_req)}
    columns.update(_figures(rolled, targets))
    own_figures = _figures(own, targets)
    columns.update({f"own_{c}": own_figures[c] for c in OWN})
    out = pd.DataFrame(columns)
    labels = ordered.drop(columns=["id"]).iloc[np.tile(np.arange(n_unit), n_req)].reset_index(drop=True)
    return pd.concat([out, labels], axis=1)


def _clean(record: dict) -> dict:
    # NaN coverage (empty audience) becomes None so templates and exports show a dash.
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in record.items()}


@dataclass
class UnitBreakdown:
    """One unit's line and the lines that add up to it: its child units, then its own staff."""

    total: dict
    children: list[dict]
    own: dict | None  # the officials attached to the unit itself, when there are any


def breakdown(table: pd.DataFrame, *, requirement_id: int, unit_id: int) -> UnitBreakdown:
    """The rows of a report for one unit and requirement: children's subtree figures plus the unit's own staff
    add up to the unit's total. `table` is `rollup`'s output (with parent_id)."""
    rows = table[table["requirement_id"] == requirement_id]
    total_rows = rows[rows["unit_id"] == unit_id]
    if total_rows.empty:
        raise KeyError(unit_id)
    total = _clean(total_rows.iloc[0].to_dict())
    children = sorted((_clean(r) for r in rows[rows["parent_id"] == unit_id].to_dict("records")), key=child_order)
    return UnitBreakdown(total=total, children=children, own=own_line(total))


def own_line(total: dict) -> dict | None:
    """The figures of the officials attached to a unit itself (not to a sub-unit), from a `rollup` record; None
    when there are none. Withheld by `suppress_small_groups`: the audience alone (or not even that), no result."""
    if total.get("own_suppressed"):
        return _withhold({"audience": total["own_audience"], "target_percent": total["target_percent"]},
                         total["own_suppressed"])
    if not total.get("own_audience"):
        return None
    return _clean(figures(
        completed=total["own_done"] - total["own_expiring"], expiring=total["own_expiring"],
        in_progress=total["own_in_progress"], not_started=total["own_not_started"], overdue=total["own_overdue"],
        target_percent=total["target_percent"]))


# --- Publishing: small groups ---------------------------------------------------------------------------------

SMALL = "small"  # fewer people than the minimum: the group's result is withheld
WITHHELD = "withheld"  # enough people, but its result with the total would give a small group's away
RESULTS = ("done", "expiring", "in_progress", "not_started", "overdue", "coverage", "target_count", "gap", "missing")


def _withhold(line: dict, reason: str, prefix: str = "") -> dict:
    for name in RESULTS:
        if prefix + name in line or not prefix:
            line[prefix + name] = None
    if reason == SMALL:
        line[prefix + "audience"] = None
    if not prefix:
        line["suppressed"] = reason
    return line


def suppress_small_groups(rows: list[dict], *, minimum: int) -> list[dict]:
    """`rollup` records (with parent_id, of any requirements) fit to publish: no result of fewer than `minimum` people
    can be read from them, nor worked out by subtracting the lines shown from a total.

    A unit's total is its own officials' line plus its sub-units' lines, and a line of fewer than `minimum` people is
    withheld ("small"). When the people withheld from a unit's breakdown number fewer than `minimum`, the total minus
    the lines shown would give their result away, so more is withheld with them (complementary suppression): the
    unit's own officials' line, then the smallest sub-unit lines whose people are published nowhere else once their
    line and total are withheld. Only when that cannot be done is the unit's total withheld, its withheld people then
    counting in its parent's breakdown. Each record gets `suppressed` and `own_suppressed` (SMALL, WITHHELD or None);
    withheld figures are None, and so is the audience of a small group."""
    out = [dict(r, suppressed=None, own_suppressed=None) for r in rows]
    by_requirement: dict = {}
    for r in out:
        by_requirement.setdefault(r["requirement_id"], {})[r["unit_id"]] = r
    for units in by_requirement.values():
        children: dict = {}
        for r in units.values():
            children.setdefault(r["parent_id"] if r["parent_id"] in units else None, []).append(r)
        inside: dict = {}  # unit id -> people withheld from the unit's breakdown
        withheld: dict = {}  # unit id -> people of a withheld unit that its parent's breakdown must account for

        def own(r: dict) -> int:
            return int(r.get("own_audience") or 0)

        def settle(r: dict) -> None:
            kids = children.get(r["unit_id"], ())
            for child in kids:
                settle(child)
            hidden = sum(withheld.get(child["unit_id"], 0) for child in kids)
            if 0 < own(r) < minimum:
                r["own_suppressed"], hidden = SMALL, hidden + own(r)
            if 0 < hidden < minimum and own(r) and not r["own_suppressed"]:
                r["own_suppressed"], hidden = WITHHELD, hidden + own(r)
            if 0 < hidden < minimum:
                # What withholding each shown sub-unit's line (and so its total and own line) would add.
                offers = sorted((inside[c["unit_id"]] + (0 if c["own_suppressed"] else own(c)), c["unit_id"], c)
                                for c in kids if c["unit_id"] not in withheld)
                offers = [o for o in offers if o[0]]
                enough = [o for o in offers if hidden + o[0] >= minimum]
                for people, _, child in enough[:1] or offers:
                    if hidden >= minimum:
                        break
                    child["suppressed"], withheld[child["unit_id"]], hidden = WITHHELD, people, hidden + people
                    if own(child) and not child["own_suppressed"]:
                        child["own_suppressed"] = WITHHELD
            inside[r["unit_id"]] = hidden
            if 0 < hidden < minimum:
                r["suppressed"] = SMALL if int(r["audience"] or 0) < minimum else WITHHELD
                withheld[r["unit_id"]] = hidden

        for root in children.get(None, ()):
            settle(root)
        for r in units.values():
            if r["suppressed"]:
                _withhold(r, r["suppressed"])
            if r["own_suppressed"]:
                _withhold(r, r["own_suppressed"], prefix="own_")
    return out


def records(frame: pd.DataFrame) -> list[dict]:
    """A frame as a list of dicts with NaN turned into None."""
    return [_clean(r) for r in frame.to_dict("records")]


# --- Periods and history ----------------------------------------------------------------------------------------

def period_end(period: str, year: int) -> dt.date:
    """The last day of a reporting period: 31/3 for Q1, 30/6 for 6 months, 30/9 for 9 months, 31/12 for the year."""
    month, day = PERIODS[period]
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


@dataclass
class Trend:
    """A line chart's geometry, ready for an inline SVG: the polyline, the target line and axis labels."""

    points: str
    dots: list[dict]
    target_y: float | None
    y_ticks: list[dict]
    x_labels: list[dict]
    width: int
    height: int


def trend(series: pd.DataFrame, *, target_percent: float = DEFAULT_TARGET, width: int = 640, height: int = 220,
          pad_left: int = 40, pad_bottom: int = 28, pad_top: int = 10, pad_right: int = 10) -> Trend | None:
    """Chart geometry for coverage % over time. `series` has `date`, `audience` and `done` per snapshot date;
    dates with an empty audience are skipped. None when there is nothing to draw."""
    if series is None or series.empty:
        return None
    s = series[series["audience"] > 0].sort_values("date")
    if s.empty:
        return None
    dates = list(pd.to_datetime(s["date"]).dt.date)
    pct = list(100.0 * s["done"].astype(float) / s["audience"].astype(float))
    inner_w, inner_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    first, last = dates[0], dates[-1]
    span = max((last - first).days, 1)

    def x(d: dt.date) -> float:
        return round(pad_left + (inner_w * (d - first).days / span if len(dates) > 1 else inner_w / 2), 1)

    def y(p: float) -> float:
        return round(pad_top + inner_h * (1 - p / 100.0), 1)

    dots = [{"x": x(d), "y": y(p), "date": d, "percent": p} for d, p in zip(dates, pct)]
    ticks = [{"y": y(v), "label": v} for v in (0, 25, 50, 75, 100)]
    # At most six date labels, evenly spread, always including the first and the last.
    n = len(dates)
    idx = sorted({round(i * (n - 1) / 5) for i in range(6)}) if n > 1 else [0]
    # The end labels are anchored inwards so they are not cut off at the chart's edges.
    labels = [{"x": x(dates[i]), "date": dates[i],
               "anchor": "middle" if n == 1 or 0 < i < n - 1 else ("start" if i == 0 else "end")} for i in idx]
    return Trend(points=" ".join(f"{d['x']},{d['y']}" for d in dots), dots=dots,
                 target_y=y(float(target_percent)) if target_percent is not None else None,
                 y_ticks=ticks, x_labels=labels, width=width, height=height)
