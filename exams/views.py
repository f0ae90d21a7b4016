"""Question-bank pages for trainers. Thin: parsing and writing live in services."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.http import client_ip

from . import access, formats, selectors, services
from .forms import BankImportForm
from .models import Topic


def _trainer(request):
    if not selectors.can_use_bank(request.user):
        raise PermissionDenied(_("The question bank is for trainers."))


@login_required
def bank(request):
    _trainer(request)
    from .models import Exam

    return render(request, "exams/bank.html", {"topics": selectors.topics_with_counts(),
                                               "exams": Exam.objects.order_by("-created_at")[:20]})


@login_required
def topic_detail(request, pk: int):
    _trainer(request)
    topic = get_object_or_404(Topic, pk=pk)
    return render(request, "exams/topic.html", {"topic": topic, "questions": selectors.questions_in(topic)})


@login_required
@require_http_methods(["GET", "POST"])
def bank_import(request):
    _trainer(request)
    form = BankImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            questions = services.parse_bank_file(filename=upload.name, data=upload.read())
        except formats.ParseError as refused:
            errors = refused.errors
        else:
            root = form.cleaned_data["topic"] or services.topic_get_or_create(
                name=form.cleaned_data["new_topic"].strip(), parent=None)
            result = services.bank_import(root=root, questions=questions, by=request.user)
            messages.success(request, _("%(n)s questions were imported into “%(topic)s”.")
                             % {"n": result.created, "topic": root.name})
            return redirect("exams:topic", pk=root.pk)
    return render(request, "exams/bank_import.html", {"form": form, "errors": errors},
                  status=400 if errors else 200)


# --- The exam room --------------------------------------------------------------------------------------------

def _official(request):
    from org.selectors import official_of

    official = official_of(request.user)
    if official is None:
        raise PermissionDenied(_("Only officials on the roster can sit exams."))
    return official


@login_required
def my_exams(request):
    official = _official(request)
    return render(request, "exams/my_exams.html", {"rows": selectors.exams_open_to(official)})


@login_required
@require_http_methods(["POST"])
def exam_start(request, pk: int):
    from .models import Exam

    official = _official(request)
    exam = get_object_or_404(Exam.objects.filter(is_published=True), pk=pk)
    try:
        attempt = services.attempt_start(exam=exam, official=official, access_code=request.POST.get("access_code", ""),
                                         code_checked=access.code_given(request, exam), ip=client_ip(request))
    except services.ExamRefused as refused:
        messages.error(request, str(refused))
        return redirect("exams:my_exams")
    access.code_remember(request, exam)
    return redirect("exams:room", pk=attempt.pk)


@login_required
def exam_room(request, pk: int):
    attempt = get_object_or_404(selectors.attempts_of(request.user), pk=pk)
    return render(request, "exams/room.html", {"attempt": attempt})


@login_required
def monitor(request, pk: int):
    from .models import Exam

    _trainer(request)
    exam = get_object_or_404(Exam, pk=pk)
    rows = selectors.exam_monitor(exam)
    counts = {"started": len(rows), "submitted": sum(r["attempt"].status != "in_progress" for r in rows),
              "idle": sum(r["idle"] for r in rows)}
    return render(request, "exams/monitor.html", {"exam": exam, "rows": rows, "counts": counts})


# --- Results and review, as the exam's review policy allows ---------------------------------------------------

@login_required
def exam_results(request):
    from . import review

    _official(request)
    rows = [review.attempt_summary(a) for a in selectors.attempts_of(request.user).exclude(status="in_progress")
            .order_by("-submitted_at", "-pk")]
    return render(request, "exams/review_list.html", {"rows": rows})


@login_required
def exam_review(request, pk: int):
    from . import review

    attempt = get_object_or_404(selectors.attempts_of(request.user), pk=pk)
    if attempt.status == attempt.Status.IN_PROGRESS:
        return redirect("exams:room", pk=attempt.pk)
    return render(request, "exams/review.html", {"attempt": attempt, "review": review.attempt_review(attempt)})
