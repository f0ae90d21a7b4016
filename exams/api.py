"""The exam room's JSON endpoints: small requests, no page renders, every object checked against its owner."""
import datetime as dt
from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError

from common.http import client_ip
from org.guards import official_or_403

from . import access, review, selectors, services
from .models import Answer, Attempt, Exam

router = Router(tags=["exams"])

# Path numbers within their columns' ranges: a bigger one is a 422 with a Vietnamese message, never a database error.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
Slot = Annotated[int, Path(ge=1, le=services.SLOT_MAX)]


def _own_attempt(request, attempt_id: Id) -> Attempt:
    return get_object_or_404(selectors.attempts_of(request.user), pk=attempt_id)


class StartIn(Schema):
    access_code: str = Field("", max_length=64)


class AttemptOut(Schema):
    id: int
    exam: str
    status: str
    layout: str
    deadline: dt.datetime
    server_now: dt.datetime
    paper: list[dict]
    answers: dict[str, dict]


class SaveIn(Schema):
    response: dict
    seq: int = Field(ge=0, le=2_147_483_647)  # the column's range: a bigger number is a 422, not a 500
    client: str = Field("", max_length=64)


class SaveOut(Schema):
    slot: int
    seq: int


class ClaimIn(Schema):
    client: str = Field("", max_length=64)
    access_code: str = Field("", max_length=64)


class EventIn(Schema):
    kind: str = Field(max_length=24)
    client: str = Field("", max_length=64)


class ResultOut(Schema):
    """Totals only, each present when the review policy allows it (None otherwise)."""
    id: int
    status: str
    status_label: str
    phase: str
    score: float | None = None
    max_score: float | None = None
    percent: float | None = None
    score10: float | None = None
    passed: bool | None = None
    pending_grading: bool = False
    review_url: str | None = None


def _room(attempt: Attempt) -> dict:
    drawn = getattr(attempt, "drawn_paper", None)  # a sitting just begun: its paper in memory, no answers yet
    if drawn is not None:
        paper, answers = selectors.drawn_paper_render(drawn), {}
    else:
        paper = selectors.candidate_paper(attempt)
        answers = {str(a.slot): {"response": a.response, "seq": a.seq}
                   for a in Answer.objects.filter(attempt=attempt)}
    return {"id": attempt.pk, "exam": attempt.exam.title, "status": attempt.status, "layout": attempt.exam.layout,
            "deadline": attempt.deadline, "server_now": timezone.now(), "paper": paper, "answers": answers}


def _fresh_room(attempt: Attempt):
    """The reply to a start from a paper prepared at check-in (a whole room starts within seconds): the same body as
    `_room`, with the paper as stored at check-in spliced in as JSON text, never decoded and encoded again."""
    from django.core.serializers.json import DjangoJSONEncoder
    from django.db.models import TextField
    from django.db.models.functions import Cast
    from django.http import HttpResponse

    from .models import PreparedPaper

    paper = getattr(attempt, "prepared_paper_text", None) or (
        PreparedPaper.objects.filter(pk=attempt.prepared_paper_id)
        .annotate(text=Cast("rendered", TextField())).values_list("text", flat=True).get())
    head = DjangoJSONEncoder(ensure_ascii=False).encode({
        "id": attempt.pk, "exam": attempt.exam.title, "status": attempt.status, "layout": attempt.exam.layout,
        "deadline": attempt.deadline, "server_now": timezone.now(), "answers": {}})
    return HttpResponse(head[:-1] + ', "paper": ' + paper + "}", status=201,
                        content_type="application/json; charset=utf-8")


def _result(attempt: Attempt) -> dict:
    # Score and outcome are separate columns of the review matrix: each appears only when its column allows it.
    out = review.attempt_summary(attempt)
    if out["phase"] != review.IN_PROGRESS:
        out["review_url"] = reverse("exams:review", args=[attempt.pk])
    return out


def _refused(refused: services.ExamRefused, *, default: int = 409) -> HttpError:
    """The HTTP answer for a refusal, with the code the exam room acts on (config/api.py)."""
    status, code = {services.TakenOver: (423, "taken_over"), services.AttemptClosed: (410, "closed"),
                    services.IpRefused: (403, "ip_refused"), services.AccessCodeNeeded: (403, "access_code"),
                    services.Throttled: (429, "throttled"), services.AnswerInvalid: (422, "invalid"),
                    }.get(type(refused), (default, None))
    error = HttpError(status, str(refused))
    error.code = code
    error.retry_after = getattr(refused, "retry_after", None)
    return error


def _open_attempt(request, attempt_id: Id) -> Attempt:
    """The signed-in official's own sitting, under the rules every request of an open sitting obeys."""
    attempt = _own_attempt(request, attempt_id)
    try:
        services.sitting_guard(attempt=attempt, ip=client_ip(request))
    except services.ExamRefused as refused:
        raise _refused(refused)
    return attempt


@router.post("/exams/{exam_id}/attempts", response={201: AttemptOut}, summary="Start or resume a sitting")
def start(request, exam_id: Id, payload: StartIn):
    # A whole room presses "Bắt đầu" within seconds of its shift opening: a sitting prepared at check-in is turned on
    # from the account's id alone (one read, one statement), before the official or the exam is loaded.
    attempt = services.attempt_start_prepared(exam_id=exam_id, user_id=request.user.pk, ip=client_ip(request))
    if attempt is not None:
        return _fresh_room(attempt)
    official = official_or_403(request, _("Only officials on the roster can sit exams."), api=True)
    exam = get_object_or_404(Exam.objects.filter(is_published=True), pk=exam_id)
    try:
        attempt = services.attempt_start(exam=exam, official=official, access_code=payload.access_code,
                                         code_checked=access.code_given(request, exam), ip=client_ip(request),
                                         prepared_tried=True)
    except services.ExamRefused as refused:
        raise _refused(refused)
    access.code_remember(request, exam)
    if getattr(attempt, "prepared_paper_id", None) is not None:
        return _fresh_room(attempt)
    return Status(201, _room(attempt))


def _finalised_if_overdue(attempt: Attempt) -> Attempt:
    if attempt.status == Attempt.Status.IN_PROGRESS and attempt.deadline + services.SAVE_GRACE <= timezone.now():
        attempt = services.attempt_submit(attempt=attempt, timed_out=True)
    return attempt


@router.get("/attempts/{attempt_id}", response=AttemptOut, summary="The frozen paper and the saved answers")
def room(request, attempt_id: Id):
    return _room(_finalised_if_overdue(_open_attempt(request, attempt_id)))


@router.post("/attempts/{attempt_id}/claim", response=AttemptOut,
             summary="Open the sitting in this tab (takes it over from another), with the paper and saved answers")
def claim(request, attempt_id: Id, payload: ClaimIn):
    # A POST with the CSRF token: taking a sitting over changes which tab may save, so a cross-site link must not.
    attempt = _finalised_if_overdue(_open_attempt(request, attempt_id))
    if attempt.status == Attempt.Status.IN_PROGRESS and not access.code_given(request, attempt.exam):
        try:
            services.access_code_check(exam=attempt.exam, official=attempt.official, code=payload.access_code,
                                       resuming=True)
        except services.Throttled as refused:
            raise _refused(refused)
        except services.ExamRefused as refused:  # needed, or not right: the room asks for it (again)
            raise _refused(services.AccessCodeNeeded(str(refused)))
        access.code_remember(request, attempt.exam)
    services.attempt_claim(attempt=attempt, client=payload.client, ip=client_ip(request))
    return _room(attempt)


@router.put("/attempts/{attempt_id}/answers/{slot}", response=SaveOut, summary="Save one answer (idempotent)")
def save(request, attempt_id: Id, slot: Slot, payload: SaveIn):
    # The hottest request of a sitting: one statement checks the owner and writes (bench/README.md).
    try:
        seq = services.answer_save_own(user=request.user, attempt_id=attempt_id, slot=slot, ip=client_ip(request),
                                       response=payload.response, seq=payload.seq, client=payload.client)
    except Attempt.DoesNotExist:
        raise Http404
    except services.ExamRefused as refused:
        raise _refused(refused, default=422)
    return {"slot": slot, "seq": seq}


@router.post("/attempts/{attempt_id}/events", response={204: None}, summary="Focus loss or reconnect")
def event(request, attempt_id: Id, payload: EventIn):
    attempt = _open_attempt(request, attempt_id)
    if payload.kind in ("focus_lost", "focus_back", "offline", "reconnect"):
        try:
            services.attempt_log(attempt=attempt, kind=payload.kind, ip=client_ip(request),
                                 detail={"client": payload.client})
        except services.ExamRefused as refused:
            raise _refused(refused)
    return Status(204, None)


@router.post("/attempts/{attempt_id}/submit", response=ResultOut, summary="Submit the sitting")
def submit(request, attempt_id: Id):
    attempt = services.attempt_submit(attempt=_open_attempt(request, attempt_id))
    return _result(attempt)


@router.get("/attempts/{attempt_id}/result", response=ResultOut, summary="Result, as the review policy allows")
def result(request, attempt_id: Id):
    return _result(_own_attempt(request, attempt_id))


@router.get("/attempts/{attempt_id}/review", response=dict,
            summary="Review of a finished sitting, as the policy allows")
def attempt_review(request, attempt_id: Id):
    # A plain dict on purpose: a key the policy withholds is absent, not sent as null.
    return review.attempt_review(_own_attempt(request, attempt_id))
