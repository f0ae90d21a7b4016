"""One paper drawn from an exam's blueprint as a candidate's start draws it (exams.services.sittings), read-only: no
attempt is created and nothing is written. The exam builder shows it so a trainer sees what a candidate would get
before anyone sits the exam; its sections may be saved or still being filled in."""
from __future__ import annotations

from decimal import Decimal
from random import Random

from django.utils.translation import gettext as _

from .grading import points_text
from .models import KIND_LABELS, ExamSection, Question


def _fixed(section: ExamSection) -> list[Question]:
    """The section's fixed questions as the page has them chosen (saved or not yet)."""
    return list(section.chosen_fixed_questions().filter(is_active=True, current_version__isnull=False)
                .select_related("current_version").order_by("topic__path", "id"))


def paper_preview(sections: list[ExamSection], *, rng: Random | None = None) -> dict:
    """A sample paper, section by section: {"sections": [{"title", "questions": [{"name", "kind", "kind_label",
    "points"}], "points", "problem"}], "count", "total"}. Fixed questions first, then each pool drawn without the
    questions already on the paper, as a start draws; a section that cannot be drawn says why instead of refusing."""
    rng = rng or Random()
    fixed = {id(s): _fixed(s) for s in sections}
    taken = {q.pk for questions in fixed.values() for q in questions}
    drawn: list[tuple[ExamSection, list, str]] = []
    for section in sections:
        if fixed[id(section)]:
            drawn.append((section, fixed[id(section)], ""))
            continue
        if section.topic_id is None:
            drawn.append((section, [], _("Choose a topic to draw from, or fixed questions.")))
            continue
        pool = Question.objects.filter(topic__path__startswith=section.topic.path, is_active=True,
                                       current_version__isnull=False).exclude(kind="description")
        if section.difficulty:
            pool = pool.filter(difficulty=section.difficulty)
        ids = [i for i in pool.values_list("id", flat=True) if i not in taken]
        if len(ids) < section.draw_count:
            drawn.append((section, [], _("The topic has only %(size)s questions left to draw, fewer than the %(n)s "
                                         "drawn.") % {"size": len(ids), "n": section.draw_count}))
            continue
        picks = rng.sample(ids, section.draw_count)
        taken.update(picks)
        drawn.append((section, picks, ""))
    by_id = Question.objects.select_related("current_version").in_bulk(
        [q for _s, picks, _p in drawn for q in picks if isinstance(q, int)])
    out, count, total = [], 0, Decimal(0)
    for n, (section, picks, problem) in enumerate(drawn, start=1):
        questions = [by_id[q] if isinstance(q, int) else q for q in picks]
        points = section.points_per_question or Decimal(0)
        out.append({
            "title": section.title or _("Exam section %(n)s") % {"n": n}, "problem": problem,
            "points": points_text(points * len(questions)),
            "questions": [{"name": q.current_version.name, "kind": q.kind, "kind_label": KIND_LABELS[q.kind],
                           "points": points_text(points)} for q in questions],
        })
        count += len(questions)
        total += points * len(questions)
    return {"sections": out, "count": count, "total": points_text(total)}
