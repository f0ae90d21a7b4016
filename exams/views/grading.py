"""Trainers' pages for one exam: watching the sitting live, the essay queue, regrade, results by grading method.
Thin: the logic is in exams.grading; every view is for trainers and administrators only (org.guards.trainers_only)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.export import CSV_CONTENT_TYPE, csv_bytes
from common.text import fold
from common.views import download
from org.guards import trainers_only

from .. import grading, selectors
from ..grading import FINISHED
from ..forms.grading import EssayGradeForm, RegradeForm
from ..models import AttemptQuestion, Exam

QUEUE_PAGE_SIZE = 20
SHOW_CHOICES = ("waiting", "graded", "all")

_for_graders = trainers_only(gettext_lazy("Grading is for trainers."))


# --- The sitting, live ------------------------------------------------------------------------------------------

@login_required
@trainers_only(gettext_lazy("The question bank is for trainers."))
def monitor(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    rows = selectors.exam_monitor(exam)
    counts = {"started": len(rows), "submitted": sum(r["attempt"].status != "in_progress" for r in rows),
              "idle": sum(r["idle"] for r in rows)}
    return render(request, "exams/monitor.html", {"exam": exam, "rows": rows, "counts": counts})


@login_required
@trainers_only(gettext_lazy("The question bank is for trainers."))
def monitor_live(request, pk: int):
    """The monitor's data, polled by its page every few seconds: it updates in place, no reload."""
    from django.http import JsonResponse

    exam = get_object_or_404(Exam, pk=pk)
    return JsonResponse(selectors.exam_monitor_live(exam))




# --- Essay queue ------------------------------------------------------------------------------------------------

def _queue_params(source) -> dict:
    show = source.get("show", "waiting")
    return {"show": show if show in SHOW_CHOICES else "waiting", "anonymous": source.get("anonymous") == "1",
            "page": source.get("page", "1")}


def _queue_url(exam: Exam, params: dict, anchor: str = "") -> str:
    query = f"?show={params['show']}&page={params['page']}" + ("&anonymous=1" if params["anonymous"] else "")
    return reverse("exams:essay_queue", args=[exam.pk]) + query + (f"#{anchor}" if anchor else "")


def _render_queue(request, exam: Exam, params: dict, bound: tuple[int, EssayGradeForm] | None = None):
    page = Paginator(grading.essays_of(exam=exam, show=params["show"]), QUEUE_PAGE_SIZE).get_page(params["page"])
    items = grading.essay_items(page.object_list)
    for item in items:
        if bound and bound[0] == item.slot.pk:
            item.form = bound[1]
        else:
            given = item.points_given
            item.form = EssayGradeForm(
                max_points=item.slot.points, prefix=f"s{item.slot.pk}",
                initial={"points": "" if given is None else grading.points_text(given),
                         "comment": item.slot.comment})
    params = {**params, "page": page.number}
    return render(request, "exams/grading_queue.html", {
        "exam": exam, "items": items, "page": page, "params": params, "counts": grading.essay_counts(exam=exam),
        "show_choices": [("waiting", _("Waiting for a grader")), ("graded", _("Already graded")), ("all", _("All"))],
        "query": f"show={params['show']}" + ("&anonymous=1" if params["anonymous"] else ""),
    }, status=400 if bound else 200)


@login_required
@require_GET
@_for_graders
def essay_queue(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    return _render_queue(request, exam, _queue_params(request.GET))


@login_required
@require_POST
@_for_graders
def essay_grade(request, pk: int, slot_pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    slot = get_object_or_404(AttemptQuestion.objects.select_related("attempt__official", "version__question"),
                             pk=slot_pk, attempt__exam=exam, version__question__kind="essay",
                             attempt__status__in=FINISHED)
    params = _queue_params(request.POST)
    form = EssayGradeForm(request.POST, max_points=slot.points, prefix=f"s{slot.pk}")
    who = (_("answer %(code)s") % {"code": grading.anonymous_code(slot.attempt_id)} if params["anonymous"]
           else slot.attempt.official.full_name)
    if form.is_valid():
        try:
            change = grading.essay_grade(slot=slot, points=form.cleaned_data["points"],
                                         comment=form.cleaned_data["comment"], by=request.user)
        except grading.GradingRefused as refused:
            form.add_error(None, str(refused))
        else:
            if change is None:
                messages.info(request, _("Nothing changed for %(who)s, question %(n)s.") % {"who": who, "n": slot.slot})
            else:
                messages.success(request, _("Saved: %(who)s, question %(n)s — %(points)s of %(max)s points.") % {
                    "who": who, "n": slot.slot, "points": grading.points_text(form.cleaned_data["points"]),
                    "max": grading.points_text(slot.points)})
            return redirect(_queue_url(exam, params, anchor=f"s{slot.pk}"))
    messages.error(request, _("Not saved: the grade for %(who)s, question %(n)s, has an error (shown below).")
                   % {"who": who, "n": slot.slot})
    # Show the page that holds this answer, even if the trainer came from another one.
    position = list(grading.essays_of(exam=exam, show=params["show"]).values_list("pk", flat=True))
    if slot.pk not in position:
        params["show"] = "all"
        position = list(grading.essays_of(exam=exam, show="all").values_list("pk", flat=True))
    params["page"] = position.index(slot.pk) // QUEUE_PAGE_SIZE + 1 if slot.pk in position else 1
    return _render_queue(request, exam, params, bound=(slot.pk, form))


# --- Regrade ----------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
@_for_graders
def regrade(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    questions = grading.regrade_questions(exam=exam)
    data = request.POST if request.method == "POST" else (request.GET if "question" in request.GET else None)
    form = RegradeForm(data, questions=questions)
    plan = None
    if data is not None and form.is_valid():
        question = form.cleaned_data["question"]
        if request.method == "POST":
            try:
                plan = grading.regrade_apply(exam=exam, question=question, by=request.user)
            except grading.GradingRefused as refused:
                messages.error(request, str(refused))
                return redirect("exams:regrade", pk=exam.pk)
            questions = grading.regrade_questions(exam=exam)  # the counts of outdated papers have changed
            form = RegradeForm(data, questions=questions)
            form.is_valid()
            messages.success(request, _("Regrade applied: %(n)s attempts changed, %(m)s answers moved to the "
                                        "corrected version.") % {"n": len(plan.changes), "m": len(plan.moves)})
        else:
            plan = grading.regrade_preview(exam=exam, question=question)
    return render(request, "exams/regrade.html", {"exam": exam, "form": form, "plan": plan,
                                                  "questions": questions},
                  status=400 if data is not None and not form.is_valid() else 200)


# --- Results ----------------------------------------------------------------------------------------------------

@login_required
@require_GET
@_for_graders
def results(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    rows = grading.exam_results(exam=exam)
    changes = Paginator(grading.grade_changes_of(exam=exam), 50).get_page(request.GET.get("page"))
    summary = {"officials": len(rows), "passed": sum(bool(r.grade and r.grade.passed) for r in rows),
               "pending": sum(bool(r.grade and r.grade.pending_manual) for r in rows)}
    return render(request, "exams/results.html", {"exam": exam, "rows": rows, "changes": changes,
                                                  "summary": summary})


def _num(value) -> str:
    return "" if value is None else number_format(value, 2)


def _outcome(row) -> str:
    if row.grade is None:
        return str(_("In progress")) if row.in_progress else ""
    if row.grade.passed is None:
        return str(_("Awaiting essay grading"))
    return str(_("Passed") if row.grade.passed else _("Not passed"))


@login_required
@require_GET
@_for_graders
def results_csv(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    header = [_("Unit"), _("Employee code"), _("Full name"), _("Finished attempts"),
              _("Final grade (%)"), _("Score (out of 10)"), _("Result"), _("Essay grading pending")]
    rows = ([r.official.unit.name, r.official.employee_code, r.official.full_name, r.grade.attempts if r.grade else 0,
             _num(r.grade and r.grade.percent), _num(r.grade and r.grade.score), _outcome(r),
             _("Yes") if r.grade and r.grade.pending_manual else ""]
            for r in grading.exam_results(exam=exam))
    name = f"ket-qua-{slugify(fold(exam.title))[:60] or exam.pk}-{timezone.localdate():%Y%m%d}.csv"
    return download(csv_bytes(header, rows), name, CSV_CONTENT_TYPE)

