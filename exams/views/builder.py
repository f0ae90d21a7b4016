"""The exam builder, one screen for trainers: the exam's main settings, its sections (title, pool, difficulty,
questions drawn, points) with their checks inline, its candidates from a searchable unit tree with the number of
officials they reach, and a sample paper drawn without writing anything. Thin: the forms check and save
(exams.forms.builder), the count is org's selector, the sample paper is exams.preview."""
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from org.guards import trainers_only
from org.selectors import AudienceDraft, audience_count

from ..forms.builder import ExamBuilder
from ..grading import points_text
from ..models import Exam
from ..preview import paper_preview
from ..question_picker import SEARCH_LIMIT, picker_label, search_questions

_for_trainers = trainers_only(gettext_lazy("Building exams is for trainers."))


def _exam_or_new(pk: int | None) -> Exam | None:
    return get_object_or_404(Exam, pk=pk) if pk is not None else None


def _deleted(row) -> bool:
    return bool(getattr(row, "cleaned_data", {}).get("DELETE"))


def _count_text(n: int) -> str:
    return ngettext("%(n)s official can sit this exam.", "%(n)s officials can sit this exam.", n) % {"n": n}


def _sections_check(builder: ExamBuilder) -> dict:
    """Each row's checks by its form prefix, and the paper's total."""
    builder.sections.is_valid()
    rows, count, total = {}, 0, Decimal(0)
    for row in builder.sections.forms:
        if _deleted(row) or not (row.instance.pk or row.has_changed()):
            rows[row.prefix] = {"empty": True}
            continue
        check = row.check()
        if not check["empty"]:
            count += 1
            total += check.pop("total")
        rows[row.prefix] = check
    return {"rows": rows, "sections": count, "total": points_text(total),
            "text": ngettext("%(n)s section, %(points)s points in all.", "%(n)s sections, %(points)s points in all.",
                             count) % {"n": count, "points": points_text(total)}}


@login_required
@require_http_methods(["GET", "POST"])
@_for_trainers
def exam_build(request, pk: int | None = None):
    exam = _exam_or_new(pk)
    builder = ExamBuilder(request.POST if request.method == "POST" else None, instance=exam)
    if request.method == "POST":
        if builder.is_valid():
            exam = builder.save(by=request.user)
            n = exam.sections.count()
            messages.success(request, ngettext("“%(title)s” is saved with %(n)s section.",
                                               "“%(title)s” is saved with %(n)s sections.", n)
                             % {"title": exam.title, "n": n})
            return redirect("exams:exam_edit", exam.pk)
        messages.error(request, _("The exam is not saved: please correct the fields marked below."))
        rule = builder.form.draft()
    else:
        rule = exam if exam is not None else AudienceDraft(unit_ids=[])
    checks = _sections_check(builder) if request.method == "POST" or exam is not None else {"rows": {}, "text": ""}
    for row in builder.sections.forms:
        row.check_result = checks["rows"].get(row.prefix, {"empty": True})
    count = audience_count(rule)
    return render(request, "exams/builder.html", {
        "exam": exam, "form": builder.form, "sections": builder.sections, "sections_text": checks["text"],
        "count_text": _count_text(count)})


@login_required
@require_POST
@_for_trainers
def builder_audience(request):
    """How many officials the candidates filled in so far reach (JSON), and the codes listed that match nobody."""
    builder = ExamBuilder(request.POST)
    form = builder.form
    form.is_valid()
    n = audience_count(form.draft())
    return JsonResponse({"count": n, "text": _count_text(n), "problems": [str(e) for e in form.errors.get(
        "listed_codes", [])]})


@login_required
@require_POST
@_for_trainers
def builder_sections(request, pk: int | None = None):
    """Each section row's pool, 3× warning, marks and mark warnings as filled in so far (JSON)."""
    return JsonResponse(_sections_check(ExamBuilder(request.POST, instance=_exam_or_new(pk))))


@login_required
@require_POST
@_for_trainers
def builder_preview(request, pk: int | None = None):
    """One paper drawn from the sections as filled in so far, as an HTML fragment; nothing is written."""
    builder = ExamBuilder(request.POST, instance=_exam_or_new(pk))
    builder.sections.is_valid()
    sections = [row.instance for row in builder.sections.forms
                if not _deleted(row) and (row.instance.pk or row.has_changed())
                and (row.instance.topic_id or row.has_fixed)]
    return render(request, "exams/_paper_preview.html", {"paper": paper_preview(sections)})


@login_required
@require_GET
@_for_trainers
def builder_questions(request):
    """The bank's questions a section may fix, found by words of their text or by number (JSON, for the picker)."""
    text = request.GET.get("q", "")
    found = search_questions(text)
    if not text.strip():
        said = ""
    elif not found:
        said = _("No question matches “%(text)s”.") % {"text": text.strip()}
    elif len(found) >= SEARCH_LIMIT:
        said = _("The first %(n)s questions found; type more words to narrow the search.") % {"n": len(found)}
    else:
        said = ngettext("%(n)s question found.", "%(n)s questions found.", len(found)) % {"n": len(found)}
    return JsonResponse({"results": [{"id": q.pk, "label": picker_label(q)} for q in found], "text": said})
