"""The candidate's pages: their exams, starting a sitting, the exam room (which then talks to exams.api), and
their results and reviews as each exam's review policy allows. Thin: the rules are in exams.services."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.http import client_ip
from org.guards import official_or_403

from .. import access, review, selectors, services
from ..models import Exam


def _official(request):
    return official_or_403(request, _("Only officials on the roster can sit exams."))


# --- The exam room --------------------------------------------------------------------------------------------

@login_required
def my_exams(request):
    official = _official(request)
    return render(request, "exams/my_exams.html", {"rows": selectors.exams_open_to(official)})


@login_required
@require_http_methods(["POST"])
def exam_start(request, pk: int):
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


# --- Results and review, as the exam's review policy allows ---------------------------------------------------

@login_required
def exam_results(request):
    _official(request)
    rows = [review.attempt_summary(a) for a in selectors.attempts_of(request.user).exclude(status="in_progress")
            .order_by("-submitted_at", "-pk")]
    return render(request, "exams/review_list.html", {"rows": rows})


@login_required
def exam_review(request, pk: int):
    attempt = get_object_or_404(selectors.attempts_of(request.user), pk=pk)
    if attempt.status == attempt.Status.IN_PROGRESS:
        return redirect("exams:room", pk=attempt.pk)
    from ..session_selectors import second_marking_open_for

    return render(request, "exams/review.html", {"attempt": attempt, "review": review.attempt_review(attempt),
                                                 "second_marking": second_marking_open_for(attempt)})
