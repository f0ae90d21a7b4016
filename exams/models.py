"""The question bank. A question's content lives in immutable versions: an edit adds a version, and a paper that
already drew a version keeps it (the exam-room step points papers at `QuestionVersion`). Then the exams built on the
bank, their sittings, answers and grade changes: one module of about 430 lines, as Django expects an app's models,
since each of these tables points at the others; workflows live in exams.services."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from org.models import Audience

from .formats.model import KINDS


class Topic(models.Model):
    """A node of the topic tree ("Cơ chế một cửa / Quy trình tiếp nhận")."""

    name = models.CharField(_("name"), max_length=255)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent topic"))
    path = models.CharField(max_length=255, db_index=True, editable=False)  # "/3/17/": a subtree is a prefix
    # A Moodle category's description comes along with an imported bank (HTML, sanitised when shown).
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="topic_name_unique_in_parent"),
            models.UniqueConstraint(fields=["name"], condition=Q(parent__isnull=True), name="root_topic_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Easy")
    MEDIUM = 2, _("Medium")
    HARD = 3, _("Hard")


KIND_LABELS = {
    "single": _("Single choice"), "multiple": _("Multiple response"), "truefalse": _("True/false"),
    "short": _("Short answer"), "numeric": _("Numeric"), "matching": _("Matching"), "ordering": _("Ordering"),
    "essay": _("Essay"), "description": _("Description (not graded)"),
}


class Question(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions", verbose_name=_("topic"))
    kind = models.CharField(_("question type"), max_length=16, choices=[(k, KIND_LABELS[k]) for k in KINDS])
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), choices=Difficulty.choices,
                                                  default=Difficulty.MEDIUM)
    tags = TaggableManager(_("tags"), blank=True)
    current_version = models.ForeignKey("QuestionVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    is_active = models.BooleanField(_("in use"), default=True)
    # Moodle's "ID number": a re-imported file updates the question with the same one instead of adding it again.
    idnumber = models.CharField(_("ID number"), max_length=100, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["topic__path", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [models.Index(fields=["topic", "difficulty", "is_active"])]

    def __str__(self) -> str:
        return self.current_version.name if self.current_version_id else f"#{self.pk}"


class QuestionVersion(models.Model):
    """One frozen state of a question. Never edited after it is created."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=255)
    text = models.TextField(_("question text"))
    # Kind-specific content in the neutral format's shape: choices, answers, numeric, pairs, order, truth.
    data = models.JSONField(default=dict)
    general_feedback = models.TextField(_("general feedback"), blank=True)
    # Essays: what a grader should look for. Never sent to candidates.
    grader_info = models.TextField(_("rubric notes for graders"), blank=True)
    default_mark = models.DecimalField(_("default mark"), max_digits=6, decimal_places=2, default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question_id", "number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="question_version_number_unique")]


# --- Exams and attempts -------------------------------------------------------------------------------------

class Exam(Audience):
    """A competency test: sections that draw questions, timing, attempts, eligibility (the `Audience` fields),
    access and review rules."""

    class Layout(models.TextChoices):
        ALL = "all", _("All questions on one page")
        ONE = "one", _("One question per page")

    class GradingMethod(models.TextChoices):
        HIGHEST = "highest", _("Highest attempt")
        LAST = "last", _("Last attempt")
        FIRST = "first", _("First attempt")
        AVERAGE = "average", _("Average of attempts")

    title = models.CharField(_("title"), max_length=255)
    instructions = models.TextField(_("instructions"), blank=True)
    time_limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"), default=30)
    pass_percent = models.DecimalField(_("pass mark (%)"), max_digits=5, decimal_places=2, default=50)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed (0 = unlimited)"), default=1)
    grading_method = models.CharField(_("grading method"), max_length=8, choices=GradingMethod.choices,
                                      default=GradingMethod.HIGHEST)
    all_or_nothing = models.BooleanField(
        _("all or nothing"), default=False,
        help_text=_("Multiple response, matching and ordering questions earn their points only when entirely right."))
    negative_marking_percent = models.DecimalField(
        _("negative marking (% of the question's points)"), max_digits=5, decimal_places=2, default=0,
        help_text=_("A wrong answer costs this share of the question's points; 0 turns negative marking off. "
                    "An empty answer never costs anything, and an attempt never scores below 0."))
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    layout = models.CharField(_("layout"), max_length=4, choices=Layout.choices, default=Layout.ALL)
    access_code = models.CharField(_("access code"), max_length=32, blank=True)
    allowed_ip_ranges = models.TextField(
        _("allowed IP ranges"), blank=True,
        help_text=_("One address or range per line, e.g. 10.20.0.0/16. Leave empty to allow any address."))
    # Review policy: what the candidate sees right after submitting, and what once the exam has closed.
    show_score_after_submit = models.BooleanField(_("score, right after submitting"), default=True)
    show_outcome_after_submit = models.BooleanField(_("passed or not, right after submitting"), default=True)
    show_answers_after_submit = models.BooleanField(_("correct answers, right after submitting"), default=False)
    show_feedback_after_submit = models.BooleanField(_("feedback, right after submitting"), default=False)
    show_score_after_close = models.BooleanField(_("score, after the exam closes"), default=True)
    show_outcome_after_close = models.BooleanField(_("passed or not, after the exam closes"), default=True)
    show_answers_after_close = models.BooleanField(_("correct answers, after the exam closes"), default=False)
    show_feedback_after_close = models.BooleanField(_("feedback, after the exam closes"), default=False)
    is_published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")

    def __str__(self) -> str:
        return self.title

    def grading_rules(self) -> dict:
        """The keyword arguments `scoring.grading.grade` needs for this exam's marking rules."""
        return {"all_or_nothing": self.all_or_nothing, "penalty": float(self.negative_marking_percent or 0) / 100}

    def clean(self):
        import ipaddress

        from django.core.exceptions import ValidationError

        errors = {}
        for n, line in enumerate((self.allowed_ip_ranges or "").splitlines(), start=1):
            line = line.strip()
            if line and not line.startswith("#"):
                try:
                    ipaddress.ip_network(line, strict=False)
                except ValueError:
                    errors.setdefault("allowed_ip_ranges", []).append(
                        _("Line %(n)s: “%(text)s” is not an IP address or range such as 10.20.0.0/16.")
                        % {"n": n, "text": line})
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The exam must close after it opens.")
        if not 0 <= (self.negative_marking_percent or 0) <= 100:
            errors["negative_marking_percent"] = _("Enter a share between 0 and 100.")
        if errors:
            raise ValidationError(errors)


class ExamSection(models.Model):
    """Draw `draw_count` questions from a topic (and its sub-topics), optionally of one difficulty; or use the
    fixed questions listed."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="sections", verbose_name=_("exam"))
    order = models.PositiveSmallIntegerField(_("order on the paper"), default=0)
    title = models.CharField(_("title"), max_length=255, blank=True)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("topic"))
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), choices=Difficulty.choices, null=True, blank=True)
    draw_count = models.PositiveSmallIntegerField(_("questions drawn"), default=10)
    fixed_questions = models.ManyToManyField(Question, blank=True, related_name="+", verbose_name=_("fixed questions"))
    points_per_question = models.DecimalField(_("points per question"), max_digits=6, decimal_places=2, default=1)

    class Meta:
        ordering = ["exam_id", "order", "id"]
        verbose_name = _("exam section")
        verbose_name_plural = _("exam sections")

    def __str__(self) -> str:
        return self.title or f"{self.exam} — {self.topic}"

    def chosen_fixed_questions(self):
        """The section's fixed questions: those a form has chosen and not saved yet (`_fixed_chosen_ids`, set by the
        exam builder's section row), else the saved ones."""
        chosen = getattr(self, "_fixed_chosen_ids", None)
        if chosen is not None:
            return Question.objects.filter(pk__in=chosen)
        return self.fixed_questions.all() if self.pk else Question.objects.none()

    def pool_size(self) -> int:
        """How many questions this section can draw from."""
        if self.chosen_fixed_questions().exists():
            return self.chosen_fixed_questions().filter(is_active=True).count()
        if self.topic_id is None:
            return 0
        pool = Question.objects.filter(topic__path__startswith=self.topic.path, is_active=True,
                                       current_version__isnull=False).exclude(kind="description")
        pool = pool.filter(difficulty=self.difficulty) if self.difficulty else pool
        # The same question imported twice is one question to a candidate: count what differs.
        return pool.values("kind", "current_version__text", "current_version__data").distinct().count()

    def pool_warning(self) -> str:
        """Civil-service computer tests draw from a pool at least three times the questions drawn."""
        size = self.pool_size()
        if size < self.draw_count * 3:
            return str(_("Pool has %(size)s questions; at least %(need)s (3 × %(n)s) are recommended.")
                       % {"size": size, "need": self.draw_count * 3, "n": self.draw_count})
        return ""

    def paper_marks(self) -> dict:
        """The mark a question of this section carries on the paper (the section's points per question, as a Moodle
        quiz slot's maximum mark overrides the question's default mark) beside the questions' own default marks:
        {"points", "fixed": [(name, own mark)], "pool": {own mark: how many questions}}."""
        from collections import Counter

        out = {"points": self.points_per_question, "fixed": [], "pool": {}}
        if self.chosen_fixed_questions().exists():
            out["fixed"] = list(self.chosen_fixed_questions().filter(is_active=True, current_version__isnull=False)
                                .order_by("topic__path", "id")
                                .values_list("current_version__name", "current_version__default_mark"))
        elif self.topic_id is not None:
            pool = Question.objects.filter(topic__path__startswith=self.topic.path, is_active=True,
                                           current_version__isnull=False).exclude(kind="description")
            if self.difficulty:
                pool = pool.filter(difficulty=self.difficulty)
            out["pool"] = dict(sorted(Counter(pool.values_list("current_version__default_mark", flat=True)).items()))
        return out

    def mark_warnings(self) -> list[str]:
        """Where the section's points differ from a question's own default mark, or the pool mixes marks: said so
        the trainer is not surprised by a 2-point essay graded out of 1."""
        from .grading import points_text

        marks = self.paper_marks()
        points = points_text(marks["points"])
        warnings = [str(_("“%(name)s” has a default mark of %(own)s in the bank but carries %(points)s points on "
                          "this paper (the section's points per question).")
                        % {"name": name, "own": points_text(own), "points": points})
                    for name, own in marks["fixed"] if own != marks["points"]]
        pool = marks["pool"]
        if len(pool) > 1:
            mixed = ", ".join(str(_("%(mark)s (%(n)s questions)") % {"mark": points_text(m), "n": n})
                              for m, n in pool.items())
            warnings.append(str(_("The pool mixes default marks: %(marks)s. Every question drawn carries %(points)s "
                                  "points on this paper.") % {"marks": mixed, "points": points}))
        elif pool and next(iter(pool)) != marks["points"]:
            warnings.append(str(_("The pool's questions have a default mark of %(own)s in the bank; every question "
                                  "drawn carries %(points)s points on this paper.")
                                % {"own": points_text(next(iter(pool))), "points": points}))
        return warnings

    def mark_warning(self) -> str:
        """The mark warnings in one line (the admin's list of sections)."""
        return " ".join(self.mark_warnings())

    def clean(self):
        from django.core.exceptions import ValidationError

        # The admin form checks "a topic or fixed questions" itself: chosen questions are not saved yet here.
        fixed = getattr(self, "_fixed_chosen", None)
        if fixed is None:
            fixed = bool(self.pk and self.fixed_questions.exists())
        if self.topic_id is None and not fixed:
            raise ValidationError(_("Choose a topic to draw from, or fixed questions."))
        if self.topic_id and not fixed and self.pool_size() < self.draw_count:
            raise ValidationError(_("The topic has only %(size)s questions, fewer than the %(n)s drawn.")
                                  % {"size": self.pool_size(), "n": self.draw_count})


class SittingManager(models.Manager):
    """Sittings that have begun. A sitting prepared at a session's check-in (READY: its paper frozen, not started)
    is nobody's sitting yet: only the start sees it, through `Attempt.with_prepared`."""

    def get_queryset(self):
        return super().get_queryset().exclude(status=Attempt.Status.READY)


class Attempt(models.Model):
    """One sitting of an exam by one official. The paper is frozen in `AttemptQuestion` rows when it starts, or at
    a session's check-in (then the sitting waits READY and its start is one UPDATE: bench/README.md, issue 16)."""

    class Status(models.TextChoices):
        READY = "ready", _("Prepared at check-in, not started")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        TIMED_OUT = "timed_out", _("Submitted automatically at the deadline")

    # The default manager hides READY sittings from every list, count, result, statistic and permission check; the
    # related managers (exam.attempts, official.exam_attempts) inherit it. FK access (slot.attempt) sees all.
    objects = SittingManager()
    with_prepared = models.Manager()

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    official = models.ForeignKey("org.Official", on_delete=models.PROTECT, related_name="exam_attempts")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS, db_index=True)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    needs_manual_grading = models.BooleanField(default=False)
    started_ip = models.GenericIPAddressField(null=True, blank=True)
    # The browser tab that holds the sitting; opening it elsewhere takes it over and the old tab is told.
    active_client = models.CharField(max_length=64, blank=True)
    slot_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["exam_id", "official_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "official", "number"], name="attempt_number_unique"),
            # At most one open sitting per person and exam: a second start resumes it.
            models.UniqueConstraint(fields=["exam", "official"], condition=Q(status="in_progress"),
                                    name="one_open_attempt"),
            models.UniqueConstraint(fields=["exam", "official"], condition=Q(status="ready"),
                                    name="one_ready_attempt"),
        ]

    @property
    def percent(self):
        if self.score is None or not self.max_score:
            return None
        return self.score * 100 / self.max_score

    @property
    def on_ten(self):
        """The score on the 10-point scale (two decimals)."""
        percent = self.percent
        return None if percent is None else round(percent / 10, 2)


class AttemptQuestion(models.Model):
    """One slot of a frozen paper: which version, its points, the option order shown to this candidate, and the
    identifiers this paper gives its options and items."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="slots")
    slot = models.PositiveSmallIntegerField()
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2)
    option_order = models.JSONField(default=list)
    # {"options" | "items" | "matches": [[identifier, internal number], …] in the order shown}, drawn at the start by
    # scoring.grading.paper_layout. Empty on papers started before identifiers existed: those answer in numbers.
    elements = models.JSONField(default=dict, blank=True)
    fraction = models.FloatField(null=True, blank=True)  # set at grading; None while an essay waits for a grader
    comment = models.TextField(_("grader's comment"), blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    graded_at = models.DateTimeField(null=True, blank=True)
    # The blueprint slot this paper slot fills, which shuffling the paper does not move: its section and which of the
    # section's questions (1-based). It is Moodle's quiz "slot", the unit of the test statistics. The section may be
    # deleted later; the paper keeps the id (no constraint). Null on an old paper whose section was not inferred.
    section = models.ForeignKey(ExamSection, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    draw = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["attempt_id", "slot"]
        constraints = [models.UniqueConstraint(fields=["attempt", "slot"], name="attempt_slot_unique")]


class Answer(models.Model):
    """The latest response for one slot. `seq` is the client's sequence number: an older one never overwrites."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    slot = models.PositiveSmallIntegerField()
    response = models.JSONField()
    seq = models.PositiveIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "slot"], name="answer_slot_unique")]


class AttemptEvent(models.Model):
    """Audit trail of a sitting: start, resume, save refused, focus lost, submit, timeout."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["attempt_id", "at", "id"]


class ExamOverride(models.Model):
    """An accommodation for one person: extra time, a different window, extra attempts."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("exam"))
    official = models.ForeignKey("org.Official", on_delete=models.CASCADE, related_name="exam_overrides",
                                 verbose_name=_("official"))
    extra_minutes = models.PositiveIntegerField(_("extra time (minutes)"), default=0)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    extra_attempts = models.PositiveSmallIntegerField(_("extra attempts"), default=0)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("personal accommodation")
        verbose_name_plural = _("personal accommodations")
        constraints = [models.UniqueConstraint(fields=["exam", "official"], name="one_override_per_person")]

    def __str__(self) -> str:
        return f"{self.exam} — {self.official}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The window must close after it opens.")})


class GradeChange(models.Model):
    """The audit trail of every grade change after submission: who, when, what, why."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Graded by hand")
        REGRADE = "regrade", _("Regraded after a correction")

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="grade_changes")
    slot = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    old_fraction = models.FloatField(null=True, blank=True)
    new_fraction = models.FloatField(null=True, blank=True)
    old_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    new_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


# Exam sessions (kỳ sát hạch): their own module, found by Django through this import.
from .session_models import (Candidate, CouncilMember, ExamRoom, ExamSession, Incident, PreparedPaper,  # noqa: E402,F401
                             RoomShift, Seat, SecondMarking, SessionLog, Shift)
