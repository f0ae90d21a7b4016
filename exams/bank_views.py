"""Question-bank pages for trainers beyond the import: single-question editing, Excel template, export."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import formats, selectors, services
from .bank_forms import QuestionEditor
from .formats.model import format_decimal, format_percent
from .models import KIND_LABELS, AttemptQuestion, Question, Topic


def _trainer(request):
    if not selectors.can_use_bank(request.user):
        raise PermissionDenied(_("The question bank is for trainers."))


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def bank_template(request):
    _trainer(request)
    return _download(formats.xlsx_template(), "mau-ngan-hang-cau-hoi.xlsx",
                     selectors.EXPORT_FORMATS["xlsx"][2])


@login_required
def topic_export(request, pk: int, fmt: str):
    _trainer(request)
    topic = get_object_or_404(Topic, pk=pk)
    if fmt not in selectors.EXPORT_FORMATS:
        raise Http404
    try:
        export = selectors.topic_export(topic=topic, fmt=fmt)
    except formats.UnsupportedQuestion as refused:
        messages.error(request, _("Nothing was exported: %(reason)s. Excel and Moodle XML hold every type of "
                                  "question.") % {"reason": refused})
        return redirect("exams:topic", pk=topic.pk)
    return _download(export.content, export.filename, export.content_type)


@login_required
def topic_retired(request, pk: int):
    _trainer(request)
    topic = get_object_or_404(Topic, pk=pk)
    return render(request, "exams/question_retired.html",
                  {"topic": topic, "questions": selectors.topic_questions(topic, active=False)})


# --- One question ------------------------------------------------------------------------------------------------

KIND_HELP = {
    "single": gettext_lazy("Candidates pick one option; exactly one is right."),
    "multiple": gettext_lazy("Candidates tick every right option; the right ones share the mark."),
    "truefalse": gettext_lazy("A statement candidates judge true or false."),
    "short": gettext_lazy("Candidates type a word or phrase; case and diacritics are ignored."),
    "numeric": gettext_lazy("Candidates type a number; a tolerance may be allowed."),
    "matching": gettext_lazy("Candidates match each item with its answer."),
    "ordering": gettext_lazy("Candidates put the items in the right order."),
    "essay": gettext_lazy("A written answer, graded by a trainer with the rubric notes."),
    "description": gettext_lazy("A block of information between questions; not graded."),
}


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request, pk: int):
    _trainer(request)
    topic = get_object_or_404(Topic, pk=pk)
    kind = request.GET.get("loai", "")
    if kind not in KIND_LABELS:
        kinds = [(k, label, str(KIND_HELP[k])) for k, label in KIND_LABELS.items()]
        return render(request, "exams/question_kind.html", {"topic": topic, "kinds": kinds})
    editor = QuestionEditor(kind, request.POST or None, topic=topic)
    if request.method == "POST" and editor.is_valid():
        question, _written = services.question_save(q=editor.to_format(), topic=editor.topic, by=request.user)
        messages.success(request, _("The question was created."))
        return redirect("exams:question", pk=question.pk)
    return _editor_page(request, editor, topic=topic)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk: int):
    _trainer(request)
    question = get_object_or_404(Question.objects.select_related("current_version", "topic"), pk=pk)
    if question.current_version is None:
        raise Http404
    editor = QuestionEditor(question.kind, request.POST or None, question=question)
    if request.method == "POST" and editor.is_valid():
        try:
            question, written = services.question_save(q=editor.to_format(), topic=editor.topic, question=question,
                                                       by=request.user, expected_version=editor.base_version)
        except ValidationError as refused:
            editor.problems.extend(refused.messages)
            return _editor_page(request, editor, topic=question.topic, status=409)
        if written:
            messages.success(request, _("Saved as version %(n)s. Exams already started keep the version they "
                                        "drew.") % {"n": question.current_version.number})
        else:
            messages.success(request, _("The content did not change, so no new version was made; the topic, "
                                        "difficulty and tags were saved."))
        return redirect("exams:question", pk=question.pk)
    return _editor_page(request, editor, topic=question.topic)


def _editor_page(request, editor: QuestionEditor, *, topic: Topic, status: int | None = None):
    status = status or (400 if request.method == "POST" else 200)
    return render(request, "exams/question_form.html",
                  {"editor": editor, "form": editor.form, "rows": editor.rows, "kind": editor.kind,
                   "kind_label": KIND_LABELS[editor.kind], "kind_help": KIND_HELP[editor.kind],
                   "topic": topic, "question": editor.question}, status=status)


@login_required
def question_detail(request, pk: int):
    _trainer(request)
    question = get_object_or_404(Question.objects.select_related("current_version", "topic", "created_by"), pk=pk)
    papers = dict(AttemptQuestion.objects.filter(version__question=question).values_list("version")
                  .annotate(n=Count("id")))
    versions = []
    for version in question.versions.select_related("created_by", "question").order_by("-number"):
        versions.append({"version": version, "papers": papers.get(version.pk, 0),
                         "content": content_for_display(selectors.to_format(version)),
                         "current": version.pk == question.current_version_id})
    return render(request, "exams/question_detail.html", {
        "question": question, "versions": versions, "current": versions[0] if versions else None,
        "tags": sorted(t.name for t in question.tags.all())})


@login_required
@require_POST
def question_retire(request, pk: int):
    _trainer(request)
    question = get_object_or_404(Question, pk=pk)
    active = request.POST.get("active") == "1"
    services.question_set_active(question=question, active=active)
    if active:
        messages.success(request, _("The question is in use again: new exams may draw it."))
    else:
        messages.success(request, _("The question was retired: new exams no longer draw it; papers that hold it "
                                    "keep it."))
    return redirect("exams:question", pk=question.pk)


def content_for_display(q: formats.Question) -> dict:
    """What a trainer reads on the question page: the key with shares as percentages, in Vietnamese number style."""
    def share(fraction: float) -> str:
        return format_percent(fraction).replace(".", ",") + "%"

    out = {"kind": q.kind, "text": q.text, "general_feedback": q.general_feedback, "grader_info": q.grader_info,
           "default_mark": format_decimal(q.default_mark), "name": q.name}
    if q.kind in ("single", "multiple", "short"):
        choices = q.choices or [formats.Choice(t, 1.0) for t in q.answers]
        out["rows"] = [{"text": c.text, "share": share(c.fraction), "right": c.fraction > 0,
                        "feedback": c.feedback} for c in choices]
    elif q.kind == "truefalse":
        feedback = {c.text: c.feedback for c in q.choices}
        out["truth"] = q.truth
        out["rows"] = [{"text": _("True"), "right": bool(q.truth), "feedback": feedback.get("true", ""),
                        "share": "100%" if q.truth else "0%"},
                       {"text": _("False"), "right": not q.truth, "feedback": feedback.get("false", ""),
                        "share": "0%" if q.truth else "100%"}]
    elif q.kind == "numeric":
        out["rows"] = [{"text": format_decimal(a.value) + (f" ± {format_decimal(a.tolerance)}" if a.tolerance else ""),
                        "share": share(a.fraction), "right": a.fraction > 0, "feedback": a.feedback}
                       for a in q.numeric]
    elif q.kind == "matching":
        out["pairs"] = q.pairs
    elif q.kind == "ordering":
        out["order"] = q.order
    return out


urlpatterns = [
    path("ngan-hang-cau-hoi/mau-excel/", bank_template, name="bank_template"),
    path("ngan-hang-cau-hoi/chu-de/<int:pk>/xuat/<str:fmt>/", topic_export, name="topic_export"),
    path("ngan-hang-cau-hoi/chu-de/<int:pk>/da-ngung/", topic_retired, name="topic_retired"),
    path("ngan-hang-cau-hoi/chu-de/<int:pk>/them-cau-hoi/", question_create, name="question_create"),
    path("ngan-hang-cau-hoi/cau-hoi/<int:pk>/", question_detail, name="question"),
    path("ngan-hang-cau-hoi/cau-hoi/<int:pk>/sua/", question_edit, name="question_edit"),
    path("ngan-hang-cau-hoi/cau-hoi/<int:pk>/ngung-dung/", question_retire, name="question_retire"),
]
