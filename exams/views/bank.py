"""The question bank's pages, for trainers and administrators: topics, importing a bank file, the Excel template,
exporting a topic, and creating, editing, reading and retiring one question. Thin: parsing and writing live in
exams.services.bank, reads in exams.selectors."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from common.views import download
from org.guards import trainers_only

from .. import formats, selectors, services
from ..forms.question import QuestionEditor
from ..forms.bank_import import BankImportForm
from ..formats.model import format_decimal, format_percent
from ..formats.richtext import to_html
from ..models import KIND_LABELS, Attempt, AttemptQuestion, Exam, Question, QuestionVersion, Topic

_for_trainers = trainers_only(gettext_lazy("The question bank is for trainers."))


@login_required
@_for_trainers
def bank(request):
    return render(request, "exams/bank.html", {"topics": selectors.topics_with_counts(),
                                               "exams": Exam.objects.order_by("-created_at")[:20]})


@login_required
@_for_trainers
def topic_detail(request, pk: int):
    topic = get_object_or_404(Topic, pk=pk)
    return render(request, "exams/topic.html", {"topic": topic, "questions": selectors.questions_in(topic)})


@login_required
@require_http_methods(["GET", "POST"])
@_for_trainers
def bank_import(request):
    form = BankImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            bank_file = services.read_bank_file(filename=upload.name, data=upload.read())
        except formats.ParseError as refused:
            errors = refused.errors
        else:
            root = form.cleaned_data["topic"] or services.topic_get_or_create(
                name=form.cleaned_data["new_topic"].strip(), parent=None)
            result = services.bank_import(root=root, questions=bank_file.questions, by=request.user,
                                          categories=bank_file.categories, skipped=bank_file.skipped)
            messages.success(request, _("“%(topic)s”: %(created)s questions added, %(updated)s updated, "
                                        "%(unchanged)s unchanged.") % {
                "topic": root.name, "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged})
            for skipped in result.skipped[:20]:
                messages.warning(request, str(skipped))
            if len(result.skipped) > 20:
                messages.warning(request, _("… and %(n)s more questions skipped.") % {"n": len(result.skipped) - 20})
            return redirect("exams:topic", pk=root.pk)
    return render(request, "exams/bank_import.html", {"form": form, "errors": errors},
                  status=400 if errors else 200)


@login_required
@_for_trainers
def bank_template(request):
    return download(formats.xlsx_template(), "mau-ngan-hang-cau-hoi.xlsx", selectors.EXPORT_FORMATS["xlsx"][2])


@login_required
@_for_trainers
def topic_export(request, pk: int, fmt: str):
    topic = get_object_or_404(Topic, pk=pk)
    if fmt not in selectors.EXPORT_FORMATS:
        raise Http404
    try:
        export = selectors.topic_export(topic=topic, fmt=fmt)
    except formats.UnsupportedQuestion as refused:
        messages.error(request, _("Nothing was exported: %(reason)s. Excel and Moodle XML hold every type of "
                                  "question.") % {"reason": refused})
        return redirect("exams:topic", pk=topic.pk)
    return download(export.content, export.filename, export.content_type)


@login_required
@_for_trainers
def topic_retired(request, pk: int):
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
@_for_trainers
def question_create(request, pk: int):
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
@_for_trainers
def question_edit(request, pk: int):
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
@_for_trainers
def question_detail(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("current_version", "topic", "created_by"), pk=pk)
    papers = dict(AttemptQuestion.objects.filter(version__question=question).values_list("version")
                  .annotate(n=Count("id")))
    versions = []
    for version in question.versions.select_related("created_by", "question").order_by("-number"):
        versions.append({"version": version, "papers": papers.get(version.pk, 0),
                         "content": content_for_display(selectors.to_format(version, with_files=False),
                                                        selectors.file_urls(version.pk, version.data)),
                         "current": version.pk == question.current_version_id})
    return render(request, "exams/question_detail.html", {
        "question": question, "versions": versions, "current": versions[0] if versions else None,
        "tags": sorted(t.name for t in question.tags.all())})


@login_required
@require_POST
@_for_trainers
def question_retire(request, pk: int):
    question = get_object_or_404(Question, pk=pk)
    active = request.POST.get("active") == "1"
    services.question_set_active(question=question, active=active)
    if active:
        messages.success(request, _("The question is in use again: new exams may draw it."))
    else:
        messages.success(request, _("The question was retired: new exams no longer draw it; papers that hold it "
                                    "keep it."))
    return redirect("exams:question", pk=question.pk)


FORMAT_LABELS = {"html": "HTML", "moodle": gettext_lazy("Moodle auto-format"), "plain": gettext_lazy("Plain text"),
                 "markdown": "Markdown"}
COMBINED_LABELS = {"correct": gettext_lazy("For any correct response"),
                   "partial": gettext_lazy("For any partially correct response"),
                   "incorrect": gettext_lazy("For any incorrect response")}
SETTING_LABELS = {"shuffle": gettext_lazy("Shuffle the choices"), "numbering": gettext_lazy("Number the choices"),
                  "usecase": gettext_lazy("Case sensitive (in Moodle)"), "penalty": gettext_lazy("Penalty per try"),
                  "responseformat": gettext_lazy("Response format"),
                  "responserequired": gettext_lazy("Text response required"),
                  "responsefieldlines": gettext_lazy("Input box size (lines)"),
                  "minwordlimit": gettext_lazy("Minimum word limit"), "maxwordlimit": gettext_lazy("Maximum word limit"),
                  "attachments": gettext_lazy("Attachments allowed"),
                  "attachmentsrequired": gettext_lazy("Attachments required"),
                  "filetypeslist": gettext_lazy("Accepted file types")}


def _yes_no(value):
    return (_("Yes") if value else _("No")) if isinstance(value, bool) else value


def content_for_display(q: formats.Question, urls: dict[str, str] | None = None) -> dict:
    """What a trainer reads on the question page: the key with shares as percentages, in Vietnamese number style;
    every rich field in its own format (sanitised), keys as plain text; what Moodle keeps besides (ID number,
    hints, combined feedback, the essay's response template and settings)."""
    def share(fraction: float) -> str:
        return format_percent(fraction).replace(".", ",") + "%"

    def rich(text: str) -> str:
        return mark_safe(to_html(text, q.format, urls))

    rich_choices = q.kind in ("single", "multiple")
    out = {"kind": q.kind, "text": rich(q.text), "general_feedback": rich(q.general_feedback),
           "grader_info": rich(q.grader_info), "default_mark": format_decimal(q.default_mark), "name": q.name,
           "idnumber": q.idnumber, "hints": [rich(h) for h in q.hints], "format": FORMAT_LABELS.get(q.format, ""),
           "combined": [(COMBINED_LABELS[key], rich(q.feedback[key])) for key in COMBINED_LABELS if q.feedback.get(key)],
           "template": rich(q.settings.get("responsetemplate", "")),
           "settings": [(label, _yes_no(q.settings[key])) for key, label in SETTING_LABELS.items()
                        if key in q.settings]}
    if q.kind in ("single", "multiple", "short"):
        choices = q.choices or [formats.Choice(t, 1.0) for t in q.answers]
        out["rows"] = [{"text": rich(c.text) if rich_choices else c.text, "share": share(c.fraction),
                        "right": c.fraction > 0, "feedback": rich(c.feedback)} for c in choices]
    elif q.kind == "truefalse":
        feedback = {c.text: c.feedback for c in q.choices}
        out["truth"] = q.truth
        out["rows"] = [{"text": _("True"), "right": bool(q.truth), "feedback": rich(feedback.get("true", "")),
                        "share": "100%" if q.truth else "0%"},
                       {"text": _("False"), "right": not q.truth, "feedback": rich(feedback.get("false", "")),
                        "share": "0%" if q.truth else "100%"}]
    elif q.kind == "numeric":
        out["rows"] = [{"text": _("Any other answer") if a.value is None else
                        format_decimal(a.value) + (f" ± {format_decimal(a.tolerance)}" if a.tolerance else ""),
                        "share": share(a.fraction), "right": a.fraction > 0, "feedback": rich(a.feedback)}
                       for a in q.numeric]
    elif q.kind == "matching":
        out["pairs"] = [(rich(item), match) for item, match in q.pairs]
    elif q.kind == "ordering":
        out["order"] = [rich(item) for item in q.order]
    return out



@login_required
def question_file(request, version_id: int, name: str):
    """A file a question's text refers to (an image, a document): for trainers, and for a candidate whose paper
    holds that version of the question — never a public address, so a question cannot be read before its exam."""
    import mimetypes

    from django.core.files.storage import default_storage
    from django.http import FileResponse

    from org import roles

    version = get_object_or_404(QuestionVersion.objects.only("id", "data"), pk=version_id)
    path = version.data.get("files", {}).get(name)
    # A candidate once their sitting has begun (a paper prepared at check-in is not theirs to read yet).
    allowed = roles.is_trainer_or_admin(request.user) or AttemptQuestion.objects.filter(
        version_id=version_id, attempt__official__user=request.user).exclude(
        attempt__status=Attempt.Status.READY).exists()
    if path is None or not allowed:
        raise Http404
    try:
        handle = default_storage.open(path, "rb")
    except OSError:
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type.startswith(("image/", "audio/", "video/")) and content_type != "image/svg+xml"
    response = FileResponse(handle, content_type=content_type if inline else "application/octet-stream",
                            as_attachment=not inline, filename=name)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
