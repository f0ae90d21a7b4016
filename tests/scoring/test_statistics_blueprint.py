"""Test statistics per slot of the blueprint (Moodle's quiz slots), not per shuffled position on the paper: a pooled,
shuffled exam sat through the exam engine, with every figure recomputed here independently with pandas from the
papers as stored; Moodle's per-slot rows for random slots; papers drawn before the blueprint slot was recorded."""
import importlib
import math
import re

import numpy as np
import pandas as pd
import pytest
from django.core.cache import cache
from django.urls import reverse

from scoring import statistics as core

pytestmark = pytest.mark.django_db



@pytest.fixture
def pooled(db):
    """Two sections drawing at random, shuffled together on the paper (the defaults): 4 of 10 one-stop questions
    worth 1 point, then 3 of 8 civil-status questions worth 2 points."""
    from tests.factories import ExamFactory, ExamSectionFactory, TopicFactory

    one_stop = TopicFactory(name="Một cửa", choices=10, choices__name="MC {i}", choices__text="Bộ phận Một cửa, câu {i}?")
    civil = TopicFactory(name="Hộ tịch", choices=8, choices__name="HT {i}", choices__text="Hộ tịch, câu {i}?")
    exam = ExamFactory(title="Sát hạch Một cửa và Hộ tịch 2020", published=True)
    assert exam.shuffle_questions  # the default
    ExamSectionFactory(exam=exam, order=1, title="Phần I: Một cửa", topic=one_stop, draw_count=4)
    ExamSectionFactory(exam=exam, order=2, title="Phần II: Hộ tịch", topic=civil, draw_count=3, points_per_question=2)
    return exam


def sit_all(exam, tree, n=40, seed=5):
    """`n` officials of spread ability sit the exam; harder questions (higher number in the bank) are missed more."""
    from exams.services import answer_save, attempt_start, attempt_submit

    from ..factories import OfficialFactory
    from ..papers import pick_bank_option

    rng = np.random.default_rng(seed)
    for _ in range(n):
        ability = rng.normal()
        attempt = attempt_start(exam=exam, official=OfficialFactory(unit=tree["trang_dai"]))
        for slot in attempt.slots.select_related("version"):
            number = int(slot.version.name.split()[-1])
            right = rng.random() < 1 / (1 + math.exp(-(ability - (number - 5) / 2)))
            key = next(j for j, c in enumerate(slot.version.data["choices"]) if c["fraction"] == 1.0)
            pick = key if right else (key + 1) % 4
            answer_save(attempt=attempt, slot=slot.slot, response=pick_bank_option(attempt, slot.slot, pick), seq=1)
        attempt_submit(attempt=attempt)


def stored_papers(exam) -> pd.DataFrame:
    from exams.models import AttemptQuestion

    rows = AttemptQuestion.objects.filter(attempt__exam=exam).values(
        "attempt_id", "slot", "section_id", "draw", "points", "fraction", "version__question_id",
        "version__question__topic__name")
    df = pd.DataFrame(list(rows))
    df["mark"] = df["fraction"] * df["points"].astype(float)
    return df


def cronbach(marks: pd.DataFrame, totals: pd.Series) -> float:
    """Moodle's coefficient of internal consistency from a wide table (one column per item) of marks."""
    p = marks.shape[1]
    return 100 * p / (p - 1) * (1 - marks.var(ddof=1).sum() / totals.var(ddof=1))


def test_alpha_error_ratio_and_sem_are_per_blueprint_slot_not_per_shuffled_position(pooled, tree):
    from exams.statistics import statistics_of

    sit_all(pooled, tree)
    papers = stored_papers(pooled)
    # The papers record their blueprint slot: each holds draws 1-4 of section I and 1-3 of section II, whatever
    # positions the shuffle gave them, each from its own section's topic.
    sections = dict(pooled.sections.values_list("title", "pk"))
    for _attempt, paper in papers.groupby("attempt_id"):
        assert sorted(paper["slot"]) == list(range(1, 8))
        assert sorted(zip(paper["section_id"], paper["draw"])) == (
            [(sections["Phần I: Một cửa"], d) for d in range(1, 5)]
            + [(sections["Phần II: Hộ tịch"], d) for d in range(1, 4)])
    assert set(papers.groupby("section_id")["version__question__topic__name"].unique().map(tuple)) == {
        ("Một cửa",), ("Hộ tịch",)}
    assert papers.groupby(["section_id", "draw"])["slot"].nunique().max() > 1  # really shuffled

    scale = 100 / 10  # every paper is worth 4 × 1 + 3 × 2 = 10 points: figures are on the 100-point scale
    totals = papers.groupby("attempt_id")["mark"].sum() * scale
    per_slot = papers.pivot(index="attempt_id", columns=["section_id", "draw"], values="mark") * scale
    per_position = papers.pivot(index="attempt_id", columns="slot", values="mark") * scale
    alpha = cronbach(per_slot, totals)
    by_position = cronbach(per_position, totals)
    assert abs(alpha - by_position) > 1  # the two definitions really differ on this exam

    test = statistics_of(pooled).test
    assert test.position_basis == "blueprint" and test.positions == 7 and test.random_slots == 7
    assert test.alpha == pytest.approx(alpha)
    assert test.error_ratio == pytest.approx(100 * math.sqrt(1 - alpha / 100))
    assert test.standard_error == pytest.approx(totals.std(ddof=1) * math.sqrt(1 - alpha / 100))
    assert test.alpha != pytest.approx(by_position)


def test_random_slots_get_moodles_per_slot_rows_beside_the_questions_they_drew(pooled, tree, client, trainer_user):
    from exams.statistics import statistics_of

    sit_all(pooled, tree)
    papers = stored_papers(pooled)
    totals = papers.groupby("attempt_id")["mark"].sum()
    stats = statistics_of(pooled)
    one_stop, civil = pooled.sections.order_by("order").values_list("pk", flat=True)

    # Moodle numbers the blueprint's slots section by section: 1-4 draw from section I, 5-7 from section II.
    assert [(s.slot, s.pool, s.pool_name) for s in stats.slots] == (
        [(n, one_stop, "Phần I: Một cửa") for n in range(1, 5)] + [(n, civil, "Phần II: Hộ tịch") for n in range(5, 8)])
    for s in stats.slots:
        section, draw = (one_stop, s.slot) if s.slot <= 4 else (civil, s.slot - 4)
        mine = papers[(papers["section_id"] == section) & (papers["draw"] == draw)].set_index("attempt_id")
        rest = totals[mine.index] - mine["mark"]
        assert s.attempts == 40 and s.questions == mine["version__question_id"].nunique() > 1
        assert s.facility == pytest.approx(100 * mine["fraction"].mean())
        assert s.sd == pytest.approx(100 * mine["fraction"].std(ddof=1))
        assert s.discrimination == pytest.approx(100 * np.corrcoef(mine["mark"], rest)[0, 1])
        assert s.random_guess is None  # as Moodle: a random slot has no random guess score

    # Rows in Moodle's order: a section's slot rows, then the questions they drew (in bank order), then the next.
    kinds = [(kind, row.slot if kind == "slot" else row.pool) for kind, row in stats.rows]
    drawn_from = papers.groupby("section_id")["version__question_id"].nunique()
    assert kinds == ([("slot", n) for n in range(1, 5)] + [("question", one_stop)] * drawn_from[one_stop]
                     + [("slot", n) for n in range(5, 8)] + [("question", civil)] * drawn_from[civil])
    assert [q.number for q in stats.questions] == list(range(1, len(stats.questions) + 1))
    first = stats.questions[0]
    assert first.slots == sorted(papers[papers["version__question_id"] == first.question_id]["draw"].unique())

    client.force_login(trainer_user)
    html = client.get(reverse("reports:exam_statistics", args=[pooled.pk])).content.decode()
    table = re.search(r'<table id="question-stats".*?</table>', html, re.S).group(0)
    ids = re.findall(r'<tr id="(slot-\d+|q-\d+)"', table)
    assert ids[:5] == ["slot-1", "slot-2", "slot-3", "slot-4", f"q-{stats.questions[0].question_id}"]
    assert "Phần II: Hộ tịch" in re.search(r'<tr id="slot-5".*?</tr>', table, re.S).group(0)
    assert "ma trận đề" in re.search(r'<span id="alpha-basis">(.*?)</span>', html, re.S).group(1)

    csv_rows = client.get(reverse("reports:exam_statistics_csv", args=[pooled.pk])).content.decode("utf-8-sig")
    assert len(csv_rows.splitlines()) == 1 + 7 + len(stats.questions)


def test_the_pure_computation_follows_the_blueprint_columns_and_lays_out_fixed_and_random_slots():
    # Slot 1 holds a fixed question (id 500) on every paper; slots 2-3 draw from pool "P" (ids 600-603). The
    # display position is shuffled, so it never matches the blueprint slot for long.
    rng = np.random.default_rng(2)
    rows = []
    for a in range(1, 31):
        ability = rng.normal()
        drawn = rng.choice([600, 601, 602, 603], size=2, replace=False)
        shown = rng.permutation([1, 2, 3])
        for (number, qid, pool), position in zip([(1, 500, None), (2, drawn[0], "P"), (3, drawn[1], "P")], shown):
            right = rng.random() < 1 / (1 + math.exp(-(ability - (qid % 100) / 2)))
            rows.append({"attempt_id": a, "official_id": a, "number": 1, "slot": int(position),
                         "question_id": int(qid), "kind": "single", "max_mark": 1.0, "fraction": float(right),
                         "chosen": None, "answered": True, "blueprint_slot": number, "pool": pool})
    table = pd.DataFrame(rows)
    result = core.exam_statistics(table, pools={"P": "Một cửa"})
    wide = table.pivot(index="attempt_id", columns="blueprint_slot", values="fraction")
    totals = table.groupby("attempt_id")["fraction"].sum()
    assert result.test.alpha == pytest.approx(3 / 2 * 100 * (1 - wide.var(ddof=1).sum() / totals.var(ddof=1)))
    drawn = sorted(set(table.loc[table["pool"] == "P", "question_id"]))
    assert [(kind, row.slot if kind == "slot" else row.question_id) for kind, row in result.rows] == (
        [("question", 500), ("slot", 2), ("slot", 3)] + [("question", q) for q in drawn])
    assert [s.pool_name for s in result.slots] == ["Một cửa", "Một cửa"]
    assert result.questions[0].question_id == 500 and result.questions[0].slots == [1]


def test_old_papers_get_their_blueprint_slot_from_the_sections(pooled, tree):
    """The migration's backfill: papers drawn before the blueprint slot was recorded."""
    from django.apps import apps

    from exams.models import AttemptQuestion, Question
    from exams.statistics import statistics_of
    from tests.factories import ExamSectionFactory

    # A third section of fixed questions, listed in the bank's order.
    fixed = ExamSectionFactory(exam=pooled, order=3, title="Phần III", topic=None, draw_count=2,
                               fixed_questions=Question.objects.filter(current_version__name__in=["MC 9", "MC 10"]))
    sit_all(pooled, tree, n=12)
    before = {pk: (s, d) for pk, s, d in AttemptQuestion.objects.values_list("pk", "section_id", "draw")}
    AttemptQuestion.objects.update(section=None, draw=None)
    assert statistics_of(pooled).test.position_basis == "slot"  # the fallback: positions on the paper

    migration = importlib.import_module("exams.migrations.0004_attemptquestion_blueprint_slot")
    migration.infer_blueprint(apps, None)
    cache.clear()  # a deployment's migration comes with a new CACHE_VERSION
    after = {pk: (s, d) for pk, s, d in AttemptQuestion.objects.values_list("pk", "section_id", "draw")}
    assert after.keys() == before.keys()
    assert all(after[pk][0] == before[pk][0] for pk in before)  # every slot back in its own section
    assert all(after[pk] == before[pk] for pk in before if before[pk][0] == fixed.pk)  # fixed ones exactly
    papers = stored_papers(pooled)
    assert (papers.groupby(["attempt_id", "section_id"])["draw"].apply(sorted).map(len)
            == papers.groupby(["attempt_id", "section_id"])["draw"].max()).all()
    result = statistics_of(pooled).test
    assert result.position_basis == "blueprint" and result.positions == 9
    # Draws from one pool are interchangeable, and the draw order was not kept: the figure is Moodle's for the
    # labelling the backfill gave them.
    totals = papers.groupby("attempt_id")["mark"].sum() * 100 / 12
    per_slot = papers.pivot(index="attempt_id", columns=["section_id", "draw"], values="mark") * 100 / 12
    assert result.alpha == pytest.approx(cronbach(per_slot, totals))
