"""Exam statistics: every figure checked against a reference computed independently (numpy, pandas, scipy) on the
same responses; then the trainers' page, its CSV, who may see it, and the recomputation after submission."""
import csv
import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse
from scipy import stats as sps

from scoring import statistics as core

RIGHT, WRONG = {"text": "Đúng", "fraction": 1.0}, {"text": "Sai", "fraction": 0.0}


def four_options():
    return {"choices": [dict(RIGHT), {"text": "Sai A", "fraction": 0.0}, {"text": "Sai B", "fraction": 0.0},
                        {"text": "Sai C", "fraction": 0.0}]}


def simulate(n_people=80, n_items=10, seed=7, *, points=None, partial=False):
    """A response matrix with a plausible structure (abler people get more right) and the long table for it.
    Returns (fractions matrix, marks matrix, picks matrix, long table)."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=n_people)
    difficulty = np.linspace(-2, 2, n_items)
    points = np.ones(n_items) if points is None else np.asarray(points, dtype=float)
    p_right = 1 / (1 + np.exp(-(ability[:, None] - difficulty[None, :])))
    if partial:
        fractions = np.clip(np.round(p_right + rng.normal(scale=0.2, size=p_right.shape), 1), 0, 1)
    else:
        fractions = (rng.random(p_right.shape) < p_right).astype(float)
    picks = np.where(fractions == 1.0, 0, rng.integers(1, 4, size=fractions.shape))
    rows = [{"attempt_id": a + 1, "official_id": a + 1, "number": 1, "slot": j + 1, "question_id": 100 + j,
             "kind": "single", "max_mark": points[j], "fraction": fractions[a, j], "chosen": (int(picks[a, j]),),
             "answered": True}
            for a in range(n_people) for j in range(n_items)]
    return fractions, fractions * points, picks, pd.DataFrame(rows)


def bank_info(n_items):
    return {100 + j: {"name": f"Câu {j + 1}", "kind": "single", "data": four_options()} for j in range(n_items)}


# --- The pure computation against references --------------------------------------------------------------------

def test_right_wrong_items_match_kr20_item_rest_correlation_and_scipy_moments():
    fractions, marks, picks, table = simulate()
    k = fractions.shape[1]
    result = core.exam_statistics(table, bank_info(k))

    totals = marks.sum(axis=1) * 100 / k  # on the 100-point scale
    t = result.test
    assert t.attempts == 80 and t.positions == k and t.dichotomous
    assert t.mean == pytest.approx(totals.mean())
    assert t.median == pytest.approx(np.median(totals))
    assert t.sd == pytest.approx(np.std(totals, ddof=1))
    # Moodle's k-statistics are the bias-corrected sample skewness and excess kurtosis.
    assert t.skewness == pytest.approx(sps.skew(totals, bias=False))
    assert t.kurtosis == pytest.approx(sps.kurtosis(totals, fisher=True, bias=False))
    # KR-20, the classic formula: k/(k-1) (1 - Σpq / σ²) on raw counts of right answers.
    p = fractions.mean(axis=0)
    kr20 = k / (k - 1) * (1 - (p * (1 - p)).sum() / np.var(fractions.sum(axis=1)))
    assert t.alpha == pytest.approx(100 * kr20)
    assert t.error_ratio == pytest.approx(100 * math.sqrt(1 - kr20))
    assert t.standard_error == pytest.approx(np.std(totals, ddof=1) * math.sqrt(1 - kr20))

    assert [q.question_id for q in result.questions] == [100 + j for j in range(k)]
    for j, q in enumerate(result.questions):
        x, rest = fractions[:, j], fractions.sum(axis=1) - fractions[:, j]
        assert q.number == j + 1 and q.attempts == 80
        assert q.facility == pytest.approx(100 * x.mean())
        assert q.sd == pytest.approx(100 * np.std(x, ddof=1))
        assert q.discrimination == pytest.approx(100 * np.corrcoef(x, rest)[0, 1])
        best = np.cov(np.sort(x), np.sort(rest))[0, 1]
        assert q.efficiency == pytest.approx(100 * np.cov(x, rest)[0, 1] / best)
        assert q.random_guess == pytest.approx(25.0)
        counts = pd.Series(picks[:, j]).value_counts()
        assert [o.count for o in q.options] == [int(counts.get(i, 0)) for i in range(4)]
        assert sum(o.percent for o in q.options) == pytest.approx(100)
        assert q.options[0].is_right and not q.options[1].is_right


def test_partial_credit_and_unequal_points_match_cronbachs_alpha():
    points = [1, 2, 1, 3, 2, 1]
    fractions, marks, _picks, table = simulate(n_people=60, n_items=6, seed=3, points=points, partial=True)
    result = core.exam_statistics(table, bank_info(6))
    k = 6
    alpha = k / (k - 1) * (1 - marks.var(axis=0, ddof=1).sum() / marks.sum(axis=1).var(ddof=1))
    assert not result.test.dichotomous
    assert result.test.alpha == pytest.approx(100 * alpha)
    totals = marks.sum(axis=1) * 100 / sum(points)
    assert result.test.sd == pytest.approx(np.std(totals, ddof=1))
    for j, q in enumerate(result.questions):
        rest = marks.sum(axis=1) - marks[:, j]
        assert q.facility == pytest.approx(100 * fractions[:, j].mean())
        assert q.sd == pytest.approx(100 * fractions[:, j].std(ddof=1))
        assert q.discrimination == pytest.approx(100 * np.corrcoef(marks[:, j], rest)[0, 1])


def test_papers_drawn_from_a_pool_use_the_attempts_that_had_each_question_and_slots_for_alpha():
    rng = np.random.default_rng(11)
    rows = []
    for a in range(1, 41):
        ability = rng.normal()
        for slot, qid in enumerate(rng.choice(np.arange(200, 208), size=5, replace=False), start=1):
            right = rng.random() < 1 / (1 + np.exp(-(ability - (qid - 204) / 2)))
            rows.append({"attempt_id": a, "official_id": a, "number": 1, "slot": slot, "question_id": int(qid),
                         "kind": "single", "max_mark": 1.0, "fraction": float(right), "chosen": None,
                         "answered": True})
    table = pd.DataFrame(rows)
    result = core.exam_statistics(table)

    wide = table.pivot(index="attempt_id", columns="slot", values="fraction")
    totals = table.groupby("attempt_id")["fraction"].sum()
    alpha = 5 / 4 * (1 - wide.var(ddof=1).sum() / totals.var(ddof=1))
    assert result.test.position_basis == "slot" and result.test.positions == 5
    assert result.test.alpha == pytest.approx(100 * alpha)
    for q in result.questions:
        mine = table[table["question_id"] == q.question_id].set_index("attempt_id")["fraction"]
        rest = totals[mine.index] - mine
        assert q.attempts == len(mine)
        assert q.facility == pytest.approx(100 * mine.mean())
        assert q.discrimination == pytest.approx(100 * np.corrcoef(mine, rest)[0, 1])
    assert [q.question_id for q in result.questions] == sorted(q.question_id for q in result.questions)


def attempts_table(spec):
    """spec: {(official, attempt number): [fractions]} on a fixed 3-question paper."""
    rows = []
    for aid, ((official, number), fractions) in enumerate(spec.items(), start=1):
        for slot, f in enumerate(fractions, start=1):
            rows.append({"attempt_id": aid, "official_id": official, "number": number, "slot": slot,
                         "question_id": 300 + slot, "kind": "essay" if f is None else "single", "max_mark": 1.0,
                         "fraction": f, "chosen": None, "answered": True})
    return pd.DataFrame(rows)


def test_which_attempts_first_highest_last_or_all_as_moodle_selects_them():
    table = attempts_table({
        (1, 1): [0, 0, 1], (1, 2): [1, 1, 1], (1, 3): [1, 0, 0],
        (2, 1): [1, 1, 0], (2, 2): [0, 0, 1],
        (3, 1): [1, 0, 0],
    })
    means = {which: core.exam_statistics(table, which=which).test for which in core.WHICH}
    assert means["first"].attempts == 3 and means["first"].mean == pytest.approx(100 * (1 + 2 + 1) / 9)
    assert means["last"].mean == pytest.approx(100 * (1 + 1 + 1) / 9)
    assert means["highest"].mean == pytest.approx(100 * (3 + 2 + 1) / 9)
    assert means["all"].attempts == 6 and means["all"].mean == pytest.approx(100 * (1 + 3 + 1 + 2 + 1 + 1) / 18)
    with pytest.raises(ValueError):
        core.exam_statistics(table, which="best")


def test_attempts_with_an_essay_waiting_for_a_grader_are_left_out_and_counted():
    table = attempts_table({(1, 1): [1, 1, 1], (2, 1): [0, 1, None], (3, 1): [0, 0, 1], (4, 1): [1, 0, 0]})
    result = core.exam_statistics(table)
    assert result.pending == 1 and result.test.attempts == 3 and result.officials == 3
    assert result.test.mean == pytest.approx(100 * (3 + 1 + 1) / 9)


def test_the_highest_attempt_is_the_highest_graded_one_while_a_later_essay_waits():
    # Official 1: a graded attempt worth 1, then one worth 2 so far whose essay waits. Official 2: only a waiting one.
    table = attempts_table({(1, 1): [1, 0, 0], (1, 2): [1, 1, None], (2, 1): [1, 1, None]})
    result = core.exam_statistics(table, which="highest")
    assert (result.officials, result.test.attempts, result.pending) == (1, 1, 1)
    assert result.test.mean == pytest.approx(100 / 3)


def test_a_question_everyone_gets_right_and_one_with_a_wrong_key_are_flagged():
    # Eight candidates of rising ability. Question 1: everyone right. Question 2: only the two weakest "right", as
    # with a wrong key. Questions 3-5: right from the 3rd, 5th, 7th candidate on.
    table = attempts_table({(i, 1): [1, int(i <= 2), int(i >= 3), int(i >= 5), int(i >= 7)] for i in range(1, 9)})
    result = core.exam_statistics(table)
    everyone, wrong_key, _third, fine, _fifth = result.questions
    assert everyone.facility == 100 and everyone.sd == 0
    assert everyone.discrimination is None and everyone.efficiency is None
    assert everyone.flags == ["too_easy"] and everyone.band == "extremely_easy"
    assert wrong_key.discrimination < 0 and "negative_discrimination" in wrong_key.flags
    assert fine.facility == 50 and fine.discrimination > core.DISCRIMINATION_LOW and fine.flags == []
    assert [q.number for q in result.flagged][:2] == [1, 2]
    assert 4 not in [q.number for q in result.flagged]


def test_random_guess_scores_follow_moodle_and_the_exams_marking():
    assert core.random_guess_score("single", four_options()) == pytest.approx(0.25)
    tf = {"choices": [dict(RIGHT), dict(WRONG)], "truth": True}
    assert core.random_guess_score("truefalse", tf) == pytest.approx(0.5)
    assert core.random_guess_score("multiple", four_options()) is None
    assert core.random_guess_score("essay", {}) is None
    assert core.random_guess_score("short", {"choices": [dict(RIGHT)]}) == 0
    assert core.random_guess_score("matching", {"pairs": [["a", "1"], ["b", "2"], ["c", "3"]]}) == pytest.approx(1 / 3)
    # Negative marking: three wrong options cost a quarter each.
    assert core.random_guess_score("single", four_options(), {"penalty": 0.25}) == pytest.approx((1 - 0.75) / 4)


def test_histogram_bands_cover_the_100_point_scale():
    bands = core.histogram([0, 9.99, 10, 55, 100, 100, -5])
    assert bands[0] == (0, 10, 3) and bands[1] == (10, 20, 1) and bands[5] == (50, 60, 1)
    assert bands[-1] == (90, 100, 2) and sum(c for _lo, _hi, c in bands) == 7


def test_no_finished_attempt_gives_empty_statistics():
    result = core.exam_statistics(attempts_table({}).reindex(columns=[
        "attempt_id", "official_id", "number", "slot", "question_id", "kind", "max_mark", "fraction", "chosen"]))
    assert result.test.attempts == 0 and result.questions == []


# --- Through the database: the page, the CSV, who may see it, the recomputation --------------------------------

@pytest.fixture
def exam(db):
    """Four single-choice questions ("Câu 1" to "Câu 4"), all of them on every paper."""
    from exams.models import Question
    from tests.factories import ExamFactory, TopicFactory

    root = TopicFactory(name="Một cửa", choices=4, choices__text="Theo Nghị định 61/2018/NĐ-CP, câu hỏi số {i}?")
    return ExamFactory(title="Sát hạch công chức Một cửa 2020", published=True, attempts_allowed=1,
                       bank=root, bank__draw_count=4, bank__fixed_questions=Question.objects.order_by("id"))


def sit(exam, official, right_questions):
    """Sit the exam answering right exactly the questions named in `right_questions` (by bank name)."""
    from exams.services import answer_save, attempt_start, attempt_submit

    from ..papers import pick_bank_option

    attempt = attempt_start(exam=exam, official=official)
    for slot in attempt.slots.select_related("version"):
        key = next(j for j, c in enumerate(slot.version.data["choices"]) if c["fraction"] == 1.0)
        pick = key if slot.version.name in right_questions else (key + 1) % 4
        answer_save(attempt=attempt, slot=slot.slot, response=pick_bank_option(attempt, slot.slot, pick), seq=1)
    return attempt_submit(attempt=attempt)


@pytest.fixture
def sat(exam, tree):
    """Five officials: everyone gets "Câu 1" right; "Câu 2" is right for four, "Câu 3" for two, "Câu 4" for one."""
    from ..factories import OfficialFactory

    from_rank = {"Câu 2": 1, "Câu 3": 3, "Câu 4": 4}
    for i in range(5):
        sit(exam, OfficialFactory(unit=tree["trang_dai"]), {"Câu 1"} | {q for q, r in from_rank.items() if i >= r})
    return exam


def row_of(html, name):
    from exams.models import Question

    qid = Question.objects.get(current_version__name=name).pk
    return re.search(rf'<tr id="q-{qid}".*?</tr>', html, re.S).group(0)


def test_trainers_see_the_facility_of_each_question_with_a_decimal_comma(client, trainer_user, sat):
    client.force_login(trainer_user)
    response = client.get(reverse("reports:exam_statistics", args=[sat.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    everyone = row_of(html, "Câu 1")
    assert re.search(r'data-stat="facility">100,00%', everyone)
    assert re.search(r'data-stat="discrimination">—', everyone)  # no spread, no discrimination index
    assert re.search(r'data-stat="facility">80,00%', row_of(html, "Câu 2"))
    assert 'id="score-histogram"' in html and 'id="facility-discrimination"' in html
    assert "5" in re.search(r'id="stats-basis">(.*?)</p>', html, re.S).group(1)


def test_an_exam_nobody_has_finished_says_so(client, trainer_user, exam):
    client.force_login(trainer_user)
    response = client.get(reverse("reports:exam_statistics", args=[exam.pk]))
    assert response.status_code == 200 and 'id="question-stats"' not in response.content.decode()
    csv_rows = client.get(reverse("reports:exam_statistics_csv", args=[exam.pk])).content.decode("utf-8-sig")
    assert len(csv_rows.splitlines()) == 1  # the header only


def test_the_question_table_downloads_as_csv_for_excel(client, trainer_user, sat):
    client.force_login(trainer_user)
    response = client.get(reverse("reports:exam_statistics_csv", args=[sat.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(itertools.islice(csv.reader(response.content.decode("utf-8-sig").splitlines()), 10))
    assert len(rows) == 5  # header and four questions
    by_name = {r[2]: r for r in rows[1:]}
    assert by_name["Câu 1"][5] == "100,00" and by_name["Câu 2"][5] == "80,00"
    assert by_name["Câu 1"][11]  # flagged: everyone got it right


def test_an_official_is_refused_and_an_anonymous_visitor_sent_to_sign_in(client, trang_dai_official, sat):
    url = reverse("reports:exam_statistics", args=[sat.pk])
    assert client.get(url).status_code == 302
    client.force_login(trang_dai_official.user)
    assert client.get(url).status_code == 403
    assert client.get(reverse("reports:exam_statistics_csv", args=[sat.pk])).status_code == 403


def test_a_submission_queues_one_recomputation_for_a_burst(exam, tree, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    from exams.statistics import cached_statistics_of, statistics_of
    from reports import tasks

    from ..factories import OfficialFactory

    queued = []
    original = tasks.exam_statistics_refresh_task.apply_async
    monkeypatch.setattr(tasks.exam_statistics_refresh_task, "apply_async",
                        lambda *a, **kw: (queued.append(kw.get("args") or a[0]), original(*a, **kw))[1])
    with django_capture_on_commit_callbacks(execute=True):
        sit(exam, OfficialFactory(unit=tree["trang_dai"]), {"Câu 1"})
    assert queued == [[exam.pk]]
    cached = cached_statistics_of(exam)  # computed by the task (Celery runs eagerly in tests)
    assert cached is not None and cached.test.attempts == 1

    with django_capture_on_commit_callbacks(execute=True):
        sit(exam, OfficialFactory(unit=tree["trang_dai"]), {"Câu 1", "Câu 2"})
    assert queued == [[exam.pk]]  # within the debounce window: no second recomputation queued
    assert cached_statistics_of(exam) is None  # the cache key follows the papers: nothing stale is served
    assert statistics_of(exam).test.attempts == 2

    from django.core.cache import cache
    cache.delete(tasks._queued_key(exam.pk))  # the window has passed
    with django_capture_on_commit_callbacks(execute=True):
        sit(exam, OfficialFactory(unit=tree["trang_dai"]), set())
    assert queued == [[exam.pk], [exam.pk]]
    assert cached_statistics_of(exam).test.attempts == 3


def test_the_csv_and_the_chart_round_figures_instead_of_cutting_them(client, trainer_user, exam, tree):
    """Three officials: "Câu 2" is right for two of them, a facility of 66.666…%: 66,67 (and 66,7 on the chart's
    tooltip), not 66,66 and 66,6."""
    from ..factories import OfficialFactory

    for right in ({"Câu 1", "Câu 2", "Câu 3"}, {"Câu 1", "Câu 2"}, {"Câu 1"}):
        sit(exam, OfficialFactory(unit=tree["trang_dai"]), right)
    client.force_login(trainer_user)
    rows = list(csv.reader(client.get(reverse("reports:exam_statistics_csv", args=[exam.pk]))
                           .content.decode("utf-8-sig").splitlines()))
    by_name = {r[2]: r for r in rows[1:]}
    assert by_name["Câu 2"][5] == "66,67" and by_name["Câu 3"][5] == "33,33"
    html = client.get(reverse("reports:exam_statistics", args=[exam.pk])).content.decode()
    tooltip = re.search(r"<title>\d+\. Câu 2 — (.*?)</title>", html).group(1)
    assert "66,7%" in tooltip


@pytest.mark.parametrize("value, places, shown", [
    (66.66666666666667, 2, "66,67"), (1.005, 2, "1,01"), (2.675, 2, "2,68"), (-12.345, 2, "-12,35"),
    (33.35, 1, "33,4"), (-0.001, 2, "0,00"), (100, 2, "100,00"), (None, 2, "")])
def test_figures_are_rounded_half_away_from_zero_as_moodle_does(value, places, shown):
    from django.utils import translation

    from reports.views.statistics import _num

    with translation.override("vi"):
        assert _num(value, places) == shown


def test_the_exam_pages_link_to_the_statistics_through_their_extension_point(client, trainer_user, exam):
    # exams' templates name no reports URL: the reports app adds the link (reports.wagtail_hooks).
    client.force_login(trainer_user)
    link = reverse("reports:exam_statistics", args=[exam.pk])
    for page in (reverse("exams:monitor", args=[exam.pk]), reverse("exams:results", args=[exam.pk]),
                 reverse("exams:bank")):
        html = client.get(page).content.decode()
        assert re.search(rf'<a (class="btn[^"]*" )?href="{link}">Thống kê</a>', html), page
