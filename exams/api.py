"""The exam room's JSON endpoints: small requests, no page renders, every object checked against its owner."""
import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from org.http import client_ip
from org.selectors import official_of

from . import review, selectors, services
from .models import Answer, Attempt, Exam

router = Router(tags=["exams"])


def _own_attempt(request, attempt_id: int) -> Attempt:
    return get_object_or_404(selectors.attempts_of(request.user), pk=attempt_id)


class StartIn(Schema):
    access_code: str = ""


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
    client: str = ""


class SaveOut(Schema):
    slot: int
    seq: int


class ClaimIn(Schema):
    client: str = Field("", max_length=64)


class EventIn(Schema):
    kind: str
    client: str = ""


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
    answers = {str(a.slot): {"response": a.response, "seq": a.seq} for a in Answer.objects.filter(attempt=attempt)}
    return {"id": attempt.pk, "exam": attempt.exam.title, "status": attempt.status, "layout": attempt.exam.layout,
            "deadline": attempt.deadline, "server_now": timezone.now(), "paper": selectors.candidate_paper(attempt),
            "answers": answers}


def _result(attempt: Attempt) -> dict:
    # Score and outcome are separate columns of the review matrix: each appears only when its column allows it.
    out = review.attempt_summary(attempt)
    if out["phase"] != review.IN_PROGRESS:
        out["review_url"] = reverse("exams:review", args=[attempt.pk])
    return out


@router.post("/exams/{exam_id}/attempts", response={201: AttemptOut}, summary="Start or resume a sitting")
def start(request, exam_id: int, payload: StartIn):
    official = official_of(request.user)
    if official is None:
        raise HttpError(403, _("Only officials on the roster can sit exams."))
    exam = get_object_or_404(Exam.objects.filter(is_published=True), pk=exam_id)
    try:
        attempt = services.attempt_start(exam=exam, official=official, access_code=payload.access_code,
                                         ip=client_ip(request))
    except services.ExamRefused as refused:
        raise HttpError(409, str(refused))
    return Status(201, _room(attempt))


def _finalised_if_overdue(attempt: Attempt) -> Attempt:
    if attempt.status == Attempt.Status.IN_PROGRESS and attempt.deadline + services.SAVE_GRACE <= timezone.now():
        attempt = services.attempt_submit(attempt=attempt, timed_out=True)
    return attempt


@router.get("/attempts/{attempt_id}", response=AttemptOut, summary="The frozen paper and the saved answers")
def room(request, attempt_id: int):
    return _room(_finalised_if_overdue(_own_attempt(request, attempt_id)))


@router.post("/attempts/{attempt_id}/claim", response=AttemptOut,
             summary="Open the sitting in this tab (takes it over from another), with the paper and saved answers")
def claim(request, attempt_id: int, payload: ClaimIn):
    # A POST with the CSRF token: taking a sitting over changes which tab may save, so a cross-site link must not.
    attempt = _finalised_if_overdue(_own_attempt(request, attempt_id))
    services.attempt_claim(attempt=attempt, client=payload.client, ip=client_ip(request))
    return _room(attempt)


@router.put("/attempts/{attempt_id}/answers/{slot}", response=SaveOut, summary="Save one answer (idempotent)")
def save(request, attempt_id: int, slot: int, payload: SaveIn):
    # The hottest request of a sitting: one statement checks the owner and writes (bench/README.md).
    try:
        seq = services.answer_save_own(user=request.user, attempt_id=attempt_id, slot=slot,
                                       response=payload.response, seq=payload.seq, client=payload.client)
    except Attempt.DoesNotExist:
        raise Http404
    except services.TakenOver as refused:
        raise HttpError(423, str(refused))
    except services.AttemptClosed as refused:
        raise HttpError(410, str(refused))
    except services.ExamRefused as refused:
        raise HttpError(422, str(refused))
    return {"slot": slot, "seq": seq}


@router.post("/attempts/{attempt_id}/events", response={204: None}, summary="Focus loss or reconnect")
def event(request, attempt_id: int, payload: EventIn):
    attempt = _own_attempt(request, attempt_id)
    if payload.kind in ("focus_lost", "focus_back", "offline", "reconnect"):
        services.attempt_log(attempt=attempt, kind=payload.kind, ip=client_ip(request),
                             detail={"client": payload.client})
    return Status(204, None)


@router.post("/attempts/{attempt_id}/submit", response=ResultOut, summary="Submit the sitting")
def submit(request, attempt_id: int):
    attempt = services.attempt_submit(attempt=_own_attempt(request, attempt_id))
    return _result(attempt)


@router.get("/attempts/{attempt_id}/result", response=ResultOut, summary="Result, as the review policy allows")
def result(request, attempt_id: int):
    return _result(_own_attempt(request, attempt_id))


@router.get("/attempts/{attempt_id}/review", response=dict,
            summary="Review of a finished sitting, as the policy allows")
def attempt_review(request, attempt_id: int):
    # A plain dict on purpose: a key the policy withholds is absent, not sent as null.
    return review.attempt_review(_own_attempt(request, attempt_id))
