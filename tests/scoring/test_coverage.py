"""The coverage arithmetic on a small tree, checked against counts done by hand (no database)."""
import datetime as dt

import pandas as pd
import pytest

from scoring import coverage

# Province 1 → district 2 (wards 4, 5) and department 3; ward 5 has no one in the audience of requirement 20.
UNITS = pd.DataFrame([
    {"id": 1, "parent_id": None, "path": "/1/", "name": "Tỉnh", "code": "75"},
    {"id": 2, "parent_id": 1, "path": "/1/2/", "name": "Huyện", "code": "731"},
    {"id": 3, "parent_id": 1, "path": "/1/3/", "name": "Sở", "code": "75-SNV"},
    {"id": 4, "parent_id": 2, "path": "/1/2/4/", "name": "Phường A", "code": "25993"},
    {"id": 5, "parent_id": 2, "path": "/1/2/5/", "name": "Phường B", "code": "25996"},
])
REQUIREMENTS = pd.DataFrame([{"id": 10, "target_percent": 100}, {"id": 20, "target_percent": 80}])


def counts(rows):
    return pd.DataFrame(rows, columns=["unit_id", "requirement_id", "status", "n"])


COUNTS = counts([
    # requirement 10
    (2, 10, "completed", 1), (2, 10, "not_started", 1),                      # the district's own staff
    (3, 10, "completed", 3), (3, 10, "expiring", 1), (3, 10, "overdue", 2),
    (4, 10, "completed", 2), (4, 10, "in_progress", 1), (4, 10, "overdue", 1),
    (5, 10, "not_started", 3),
    # requirement 20
    (3, 20, "completed", 4), (3, 20, "in_progress", 1),
    (4, 20, "completed", 2), (4, 20, "expiring", 1), (4, 20, "overdue", 2),
])


def row(table, req, unit):
    found = table[(table["requirement_id"] == req) & (table["unit_id"] == unit)]
    assert len(found) == 1
    return found.iloc[0]


def test_province_rolls_up_every_unit_and_counts_expiring_as_done():
    table = coverage.rollup(COUNTS, UNITS, REQUIREMENTS)
    p = row(table, 10, 1)
    # Hand count for requirement 10: audience 2 + 6 + 4 + 3 = 15; done 1 + (3 + 1) + 2 = 7.
    assert (p.audience, p.done, p.in_progress, p.not_started, p.overdue) == (15, 7, 1, 4, 3)
    assert p.coverage == pytest.approx(100 * 7 / 15)
    assert (p.target_count, p.gap) == (15, 8)


def test_district_includes_its_own_staff_and_its_wards_only():
    table = coverage.rollup(COUNTS, UNITS, REQUIREMENTS)
    d = row(table, 10, 2)
    assert (d.audience, d.done, d.own_audience, d.own_done) == (2 + 4 + 3, 1 + 2, 2, 1)
    b = coverage.breakdown(table, requirement_id=10, unit_id=2)
    assert [c["code"] for c in b.children] == ["25993", "25996"]
    # The children plus the unit's own staff add up to the unit's line.
    assert sum(c["audience"] for c in b.children) + b.own["audience"] == b.total["audience"]
    assert sum(c["done"] for c in b.children) + b.own["done"] == b.total["done"]


def test_target_below_100_rounds_the_needed_count_up_and_gap_is_on_the_levels_own_total():
    table = coverage.rollup(COUNTS, UNITS, REQUIREMENTS)
    p = row(table, 20, 1)
    # Audience 5 + 5 = 10, done 4 + 3 = 7; 80% of 10 is 8 → one more person needed.
    assert (p.audience, p.done, p.target_count, p.gap) == (10, 7, 8, 1)
    w = row(table, 20, 4)
    # 80% of 5 is 4, done 3 → gap 1; the department (4 of 5 done, needs 4) has no gap.
    assert (w.target_count, w.gap) == (4, 1)
    assert row(table, 20, 3).gap == 0


def test_unit_with_nobody_in_the_audience_is_listed_with_no_percentage():
    table = coverage.rollup(COUNTS, UNITS, REQUIREMENTS)
    b = row(table, 20, 5)
    assert b.audience == 0 and pd.isna(b.coverage) and b.gap == 0
    rec = coverage.breakdown(table, requirement_id=20, unit_id=2).children[1]
    assert rec["code"] == "25996" and rec["coverage"] is None


def test_subtree_scope_stops_the_rollup_at_the_officers_unit():
    """A personnel officer's frame holds only their subtree: the district is the top, the province is absent."""
    district = UNITS[UNITS["path"].str.startswith("/1/2/")]
    scoped = COUNTS[COUNTS["unit_id"].isin(district["id"])]
    table = coverage.rollup(scoped, district, REQUIREMENTS)
    assert set(table["unit_id"]) == {2, 4, 5}
    assert row(table, 10, 2).audience == 9


def test_unknown_status_is_refused_rather_than_dropped():
    with pytest.raises(ValueError):
        coverage.rollup(counts([(4, 10, "cancelled", 1)]), UNITS, REQUIREMENTS)


def test_figures_and_target_helpers():
    f = coverage.figures(completed=6, expiring=1, in_progress=0, not_started=0, overdue=0, target_percent=100)
    assert (f["audience"], f["done"], f["coverage"], f["gap"]) == (7, 7, 100.0, 0)
    assert coverage.target_count(21, 95) == 20
    assert coverage.target_count(7, 100) == 7
    assert coverage.coverage_percent(0, 0) is None


def test_period_ends():
    assert coverage.period_end("q1", 2020) == dt.date(2020, 3, 31)
    assert coverage.period_end("h1", 2020) == dt.date(2020, 6, 30)
    assert coverage.period_end("m9", 2020) == dt.date(2020, 9, 30)
    assert coverage.period_end("year", 2020) == dt.date(2020, 12, 31)


def test_trend_geometry_puts_100_percent_at_the_top_and_skips_empty_dates():
    series = pd.DataFrame({"date": [dt.date(2020, 1, 1), dt.date(2020, 1, 2), dt.date(2020, 1, 3)],
                           "audience": [10, 0, 10], "done": [0, 0, 10]})
    t = coverage.trend(series, target_percent=100, height=220, pad_top=10, pad_bottom=28)
    assert len(t.dots) == 2
    assert t.dots[0]["y"] == 10 + 182 and t.dots[1]["y"] == 10
    assert t.target_y == 10
    assert coverage.trend(series.iloc[1:2]) is None
