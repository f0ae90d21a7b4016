"""Exam sessions (kỳ sát hạch) as Thông tư 06/2020/TT-BNV runs them: a council and its members, the exams (parts)
it runs, rooms and shifts, the candidate list with candidate numbers and seats, attendance, incidents and the
room's minutes, and the council's decision on the results. Imported by exams.models (Django finds models there)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from org.models import Audience


class ExamSession(ClusterableModel, Audience):
    """A kỳ sát hạch. Its audience fields say who may be put on the candidate list (nothing set: the list is typed
    or uploaded)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Being prepared")
        RUNNING = "running", _("Under way")
        PUBLISHED = "published", _("Results published")

    title = models.CharField(_("title"), max_length=255)
    decision = models.CharField(_("decision establishing the council"), max_length=255, blank=True,
                                help_text=_("E.g. Quyết định số 123/QĐ-SNV ngày 01/03/2026 của Giám đốc Sở Nội vụ."))
    organiser = models.CharField(_("organising body"), max_length=255, default="Sở Nội vụ tỉnh Đồng Nai")
    place = models.CharField(_("venue"), max_length=255, blank=True)
    starts_on = models.DateField(_("date"))
    number_prefix = models.CharField(_("candidate number prefix"), max_length=8, default="SH",
                                     help_text=_("Candidate numbers are this prefix and a running number: SH0001."))
    second_marking_allowed = models.BooleanField(
        _("second marking of essays allowed"), default=True,
        help_text=_("Computer-marked parts are final once published; essays may be marked a second time on request."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("exam session")
        verbose_name_plural = _("exam sessions")

    def __str__(self) -> str:
        return self.title


class CouncilMember(models.Model):
    """A member of the exam council or of its boards (supervision, marking), with the role the decision gives."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair of the council")
        VICE_CHAIR = "vice_chair", _("Vice chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")
        SUPERVISOR = "supervisor", _("Supervisor")
        MARKER = "marker", _("Marker")

    session = ParentalKey(ExamSession, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="council_seats", verbose_name=_("account"))
    full_name = models.CharField(_("full name"), max_length=255)
    position = models.CharField(_("position"), max_length=255, blank=True)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    class Meta:
        ordering = ["session_id", "role", "full_name"]
        verbose_name = _("council member")
        verbose_name_plural = _("council members")

    def __str__(self) -> str:
        return f"{self.full_name} — {self.get_role_display()}"


class ExamRoom(models.Model):
    """A room of the session: where it is, how many seats, and the addresses its computers use."""

    session = ParentalKey(ExamSession, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("room"), max_length=100)
    location = models.CharField(_("location"), max_length=255, blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"), default=30)
    allowed_ip_ranges = models.TextField(
        _("allowed IP ranges"), blank=True,
        help_text=_("One address or range per line, e.g. 10.20.0.0/24. Leave empty to allow any address."))

    class Meta:
        ordering = ["session_id", "name"]
        verbose_name = _("exam room")
        verbose_name_plural = _("exam rooms")
        constraints = [models.UniqueConstraint(fields=["session", "name"], name="room_name_unique_in_session")]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """A shift (ca thi): one exam (part) of the session, sat in every room at the same time."""

    session = ParentalKey(ExamSession, on_delete=models.CASCADE, related_name="shifts")
    exam = models.ForeignKey("exams.Exam", on_delete=models.PROTECT, related_name="shifts", verbose_name=_("exam"))
    name = models.CharField(_("shift"), max_length=100)
    starts_at = models.DateTimeField(_("starts at"))

    class Meta:
        ordering = ["session_id", "starts_at", "name"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        return self.name


class RoomShift(models.Model):
    """A room in a shift: the supervisors open it (candidates may start only then), record incidents and close it."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Not opened")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="rooms")
    room = models.ForeignKey(ExamRoom, on_delete=models.CASCADE, related_name="shifts")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.WAITING)
    supervisors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="supervised_rooms",
                                         verbose_name=_("supervisors"))
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["shift__starts_at", "room__name"]
        constraints = [models.UniqueConstraint(fields=["shift", "room"], name="one_room_per_shift")]

    def __str__(self) -> str:
        return f"{self.shift} — {self.room}"


class Candidate(models.Model):
    """One official on the session's list, with the candidate number (số báo danh) the whole session uses."""

    session = models.ForeignKey(ExamSession, on_delete=models.CASCADE, related_name="candidates")
    official = models.ForeignKey("org.Official", on_delete=models.PROTECT, related_name="exam_candidacies")
    number = models.CharField(_("candidate number"), max_length=20)

    class Meta:
        ordering = ["session_id", "number"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [models.UniqueConstraint(fields=["session", "official"], name="candidate_once_per_session"),
                       models.UniqueConstraint(fields=["session", "number"], name="candidate_number_unique")]

    def __str__(self) -> str:
        return f"{self.number} — {self.official}"


class Seat(models.Model):
    """A candidate's place in one shift: the room and seat, attendance, the identity check and time added."""

    class Attendance(models.TextChoices):
        EXPECTED = "expected", _("Not checked in")
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        REMOVED = "removed", _("Removed from the room")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="seats")
    room_shift = models.ForeignKey(RoomShift, on_delete=models.PROTECT, related_name="seats")
    seat = models.PositiveSmallIntegerField(_("seat"))
    attendance = models.CharField(_("attendance"), max_length=8, choices=Attendance.choices,
                                  default=Attendance.EXPECTED)
    identity_checked = models.BooleanField(_("identity checked"), default=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    extra_minutes = models.PositiveSmallIntegerField(_("time added (minutes)"), default=0)

    class Meta:
        ordering = ["room_shift_id", "seat"]
        constraints = [
            models.UniqueConstraint(fields=["room_shift", "seat"], name="one_candidate_per_seat"),
            models.UniqueConstraint(fields=["candidate", "room_shift"], name="one_seat_per_candidate_and_room"),
        ]


class Incident(models.Model):
    """What happened in a room during a shift, as the minutes record it."""

    class Kind(models.TextChoices):
        MOVED = "moved", _("Moved to another seat")
        TIME_ADDED = "time_added", _("Time added")
        PAUSED = "paused", _("Paused")
        RESUMED = "resumed", _("Resumed")
        REMOVED = "removed", _("Removed from the room")
        OTHER = "other", _("Other")

    room_shift = models.ForeignKey(RoomShift, on_delete=models.CASCADE, related_name="incidents")
    seat = models.ForeignKey(Seat, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents")
    kind = models.CharField(_("what happened"), max_length=12, choices=Kind.choices)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=0)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["room_shift_id", "at", "id"]


class SessionLog(models.Model):
    """The audit trail of a session: every check-in, opening, incident, closing, publication and decision."""

    session = models.ForeignKey(ExamSession, on_delete=models.CASCADE, related_name="log")
    room_shift = models.ForeignKey(RoomShift, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=32)
    detail = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["session_id", "at", "id"]


class SecondMarking(models.Model):
    """A request for second marking (phúc khảo) of an essay slot, the second marker's mark and the council's
    decision."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        MARKED = "marked", _("Marked a second time")
        DECIDED = "decided", _("Decided by the council")

    session = models.ForeignKey(ExamSession, on_delete=models.CASCADE, related_name="second_markings")
    slot = models.ForeignKey("exams.AttemptQuestion", on_delete=models.CASCADE, related_name="second_markings")
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    marker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    second_fraction = models.FloatField(null=True, blank=True)
    marker_note = models.TextField(blank=True)
    decided_fraction = models.FloatField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session_id", "requested_at"]
        constraints = [models.UniqueConstraint(fields=["slot"], condition=~Q(status="decided"),
                                               name="one_open_second_marking")]


class PreparedPaper(models.Model):
    """A candidate's paper drawn and frozen before the shift opens (at check-in), so that starting is one small
    write when a whole room starts at once. Check-in also writes the READY sitting with its slots from it; the start
    turns that sitting on."""

    seat = models.OneToOneField(Seat, on_delete=models.CASCADE, related_name="paper")
    # The READY sitting made from this paper at check-in (its slots already written): the start only updates it.
    attempt = models.OneToOneField("exams.Attempt", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="prepared")
    # [[version id, points, option order, elements, section id, draw], …] in paper order, as attempt_start freezes.
    slots = models.JSONField()
    slot_count = models.PositiveSmallIntegerField(default=0)
    # The paper as the candidate's browser receives it (exams.selectors.candidate_paper), rendered at check-in, so
    # the start's reply costs no rendering either.
    rendered = models.JSONField(default=list)
    max_score = models.DecimalField(max_digits=8, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
