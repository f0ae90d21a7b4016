"""Training requirements and each official's learning record.

A `Requirement` says who (its `Audience` fields) must complete what (modules, an exam, an in-person session) by
when. `Assignment` is one row per (requirement, official): the table coverage reports aggregate. Its status is
derived from its dates (see `lms.rules.assignment_status`) and stored so a report is one indexed GROUP BY.
Records follow the person: nothing here points at a unit, and nothing an official earned is ever deleted.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from org.models import Audience


class CertificateTemplate(models.Model):
    """How the certificates of the requirements that use it read and are numbered, as an official document: the
    governing and issuing bodies, the title, the programme completed, the place of the date line, the signer,
    and the number series (the next number is taken under a row lock, so numbers have no gaps or duplicates)."""

    name = models.CharField(_("name"), max_length=120, unique=True,
                            help_text=_("How trainers and personnel officers find it, e.g. \"Sở Nội vụ – one-stop\"."))
    issuer_parent = models.CharField(
        _("governing body"), max_length=255, blank=True,
        help_text=_("The first line of the letterhead, above the issuing body, e.g. UBND TỈNH ĐỒNG NAI."))
    issuer = models.CharField(_("issuing body"), max_length=255, help_text=_("e.g. SỞ NỘI VỤ."))
    title = models.CharField(_("certificate title"), max_length=120, default="Giấy chứng nhận")
    programme = models.CharField(
        _("programme"), max_length=255, blank=True,
        help_text=_("What the holder completed, as the certificate names it, e.g. \"Bồi dưỡng nghiệp vụ một cửa\". "
                    "Empty: the requirement's title."))
    place = models.CharField(_("place"), max_length=64, default="Đồng Nai",
                             help_text=_("Where it is signed, for the line \"Đồng Nai, ngày … tháng … năm …\"."))
    signer_authority = models.CharField(_("signing for"), max_length=64, blank=True,
                                        help_text=_("When a deputy signs, e.g. KT. GIÁM ĐỐC; otherwise empty."))
    signer_position = models.CharField(_("signer's position"), max_length=120, help_text=_("e.g. GIÁM ĐỐC."))
    signer_name = models.CharField(_("signer's name"), max_length=120)
    number_suffix = models.CharField(_("number suffix"), max_length=32, blank=True,
                                     help_text=_("Written after the number, e.g. /GCN-SNV gives \"Số: 125/GCN-SNV\"."))
    next_number = models.PositiveIntegerField(_("next number"), default=1, validators=[MinValueValidator(1)],
                                              help_text=_("The number the next certificate of this series gets."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.pk:
            last = self.certificates.aggregate(last=models.Max("serial"))["last"]
            if last is not None and self.next_number <= last:
                raise ValidationError({"next_number": _("Certificate number %(n)s has been issued already: the next "
                                                        "number must be higher.") % {"n": last}})

    def number(self, serial: int) -> str:
        return f"{serial}{self.number_suffix}"

    def letterhead(self) -> dict:
        """What a certificate copies at issue, so it reads the same whatever the template becomes."""
        return {key: getattr(self, key) for key in ("issuer_parent", "issuer", "title", "place", "signer_authority",
                                                    "signer_position", "signer_name")}


class Requirement(Audience):
    """A target from the plan: officials in the audience must complete the modules, pass the exam and/or attend
    a session by the due date, and again before each completion expires."""

    title = models.CharField(_("title"), max_length=255)
    plan_clause = models.CharField(_("plan clause"), max_length=255, blank=True,
                                   help_text=_("The part of the plan this implements, e.g. KH 15122/KH-UBND, mục II.4.c."))
    description = models.TextField(_("description"), blank=True)
    modules = models.ManyToManyField("content.CoursePage", blank=True, related_name="+",
                                     verbose_name=_("training modules to complete"))
    exam = models.ForeignKey("exams.Exam", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("exam to pass"))
    requires_attendance = models.BooleanField(
        _("attend an in-person training session"), default=False,
        help_text=_("Satisfied by being marked present at a training session held for this requirement."))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    newcomer_days = models.PositiveSmallIntegerField(
        _("days given to newcomers"), default=60,
        help_text=_("Officials who join the audience later have at least this many days from then."))
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"), null=True, blank=True,
        help_text=_("Empty: a completion never expires. Otherwise it must be renewed after this many months."))
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal window (days)"), default=30,
        help_text=_("How many days before expiry the completion counts as expiring and can be renewed."))
    target_percent = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2, default=100,
                                         validators=[MinValueValidator(0), MaxValueValidator(100)])
    is_active = models.BooleanField(_("active"), default=True)
    certificate_template = models.ForeignKey(
        CertificateTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="requirements",
        verbose_name=_("certificate template"),
        help_text=_("Issuing body, signer and number series of its certificates. Empty: a certificate without a "
                    "number."))
    # The subtree of the personnel officer who owns it; empty for province-wide requirements set by administrators.
    scope_unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("managed by unit"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "title"]
        verbose_name = _("training requirement")
        verbose_name_plural = _("training requirements")

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    """One official required to satisfy one requirement. Never deleted: an official who leaves the audience gets
    `active=False` and keeps their dates and completion."""

    class Status(models.TextChoices):
        # A context of their own: "In progress" of a sitting reads differently from that of a course.
        NOT_STARTED = "not_started", pgettext_lazy("learning status", "Not started")
        IN_PROGRESS = "in_progress", pgettext_lazy("learning status", "In progress")
        COMPLETED = "completed", pgettext_lazy("learning status", "Completed")
        OVERDUE = "overdue", pgettext_lazy("learning status", "Overdue")
        EXPIRING = "expiring", pgettext_lazy("learning status", "Expiring")

    class Source(models.TextChoices):
        RULE = "rule", _("By the requirement's audience")
        MANUAL = "manual", _("Enrolled by a personnel officer")

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="assignments")
    official = models.ForeignKey("org.Official", on_delete=models.PROTECT, related_name="lms_assignments")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.RULE)
    active = models.BooleanField(_("active"), default=True)
    assigned_at = models.DateTimeField(_("assigned at"))
    due_at = models.DateField(_("due date"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    expires_at = models.DateField(_("valid until"), null=True, blank=True)
    completion = models.ForeignKey("Completion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    deactivated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "requirement_id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["requirement", "official"], name="one_assignment_per_official")]
        indexes = [
            models.Index(fields=["requirement", "active", "status"]),
            models.Index(fields=["official", "active"]),
            models.Index(fields=["active", "due_at"]),
        ]


class LessonProgress(models.Model):
    """How far an official has read one lesson, and whether they finished it."""

    official = models.ForeignKey("org.Official", on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey("content.LessonPage", on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("content.CoursePage", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Resume point: how far down the lesson they scrolled (0–1) and the last heading they passed.
    position = models.FloatField(default=0, validators=[MinValueValidator(0), MaxValueValidator(1)])
    anchor = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["official", "lesson"], name="one_progress_per_lesson")]
        indexes = [models.Index(fields=["official", "course"]), models.Index(fields=["lesson", "completed_at"])]


class Completion(models.Model):
    """An official satisfied a requirement on a date. Kept for ever, whatever happens to the assignment later;
    a renewal is a new row."""

    class Source(models.TextChoices):
        AUTO = "auto", _("Computed from lessons, exam and attendance")
        MANUAL = "manual", _("Recorded by hand")
        DEMO = "demo", _("Demo data")

    official = models.ForeignKey("org.Official", on_delete=models.PROTECT, related_name="lms_completions")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="completions")
    completed_at = models.DateTimeField(_("completed at"))
    expires_at = models.DateField(_("valid until"), null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.AUTO)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_at"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [models.UniqueConstraint(fields=["official", "requirement", "completed_at"],
                                               name="one_completion_per_moment")]


class Certificate(models.Model):
    """The proof of a completion, verifiable by its code at a public page. Name and title are copied at issue so
    the certificate reads the same later; the PDF is rendered on demand."""

    completion = models.OneToOneField(Completion, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    # From the requirement's template at issue: its place in the number series and the letterhead it carries.
    template = models.ForeignKey(CertificateTemplate, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="certificates", verbose_name=_("certificate template"))
    serial = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("number"), max_length=64, blank=True)
    letterhead = models.JSONField(default=dict, blank=True)
    holder_name = models.CharField(_("holder"), max_length=255)
    title = models.CharField(_("title"), max_length=255)
    completed_on = models.DateField(_("completed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=255, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [models.UniqueConstraint(fields=["template", "serial"], name="one_certificate_per_number")]

    def __str__(self) -> str:
        return self.code


class TrainingSession(Audience):
    """An in-person training session (tập huấn): when, where, who is invited (the `Audience` fields) and which
    requirement attending it satisfies."""

    title = models.CharField(_("title"), max_length=255)
    requirement = models.ForeignKey(Requirement, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="sessions", verbose_name=_("requirement it satisfies"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=255)
    trainer = models.CharField(_("trainer"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    scope_unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("managed by unit"))
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="session_ends_after_start")]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The session must end after it starts.")})


class Attendance(models.Model):
    """Whether an official was at a session, entered by hand or from the sign-in sheet."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        IMPORT = "import", _("Imported from the sign-in sheet")

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    official = models.ForeignKey("org.Official", on_delete=models.PROTECT, related_name="lms_attendance")
    present = models.BooleanField(_("present"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session_id", "official__full_name"]
        constraints = [models.UniqueConstraint(fields=["session", "official"], name="one_attendance_per_session")]


class ReminderLog(models.Model):
    """One message for one event to one person. The unique constraint is what makes a second send impossible:
    the row is inserted before sending, and only the run that inserted (or reclaims a failed) row sends."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due date approaching")
        OVERDUE = "overdue", _("Overdue")
        EXPIRING = "expiring", _("Completion expiring")
        DIGEST = "digest", _("Weekly digest for personnel officers")
        INVITATION = "invitation", _("Training session invitation")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lms_reminders")
    official = models.ForeignKey("org.Official", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders")
    session = models.ForeignKey(TrainingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # What the message is about, e.g. "a:42:due:2020-09-30:d3" (assignment 42, due 30/9, three days before).
    event_key = models.CharField(max_length=120)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    channels = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "event_key"], name="one_reminder_per_event")]
