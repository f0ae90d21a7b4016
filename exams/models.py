"""The question bank. A question's content lives in immutable versions: an edit adds a version, and a paper that
already drew a version keeps it (the exam-room step points papers at `QuestionVersion`)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from .formats.model import KINDS


class Topic(models.Model):
    """A node of the topic tree ("Cơ chế một cửa / Quy trình tiếp nhận")."""

    name = models.CharField(_("name"), max_length=255)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent topic"))
    path = models.CharField(max_length=255, db_index=True, editable=False)  # "/3/17/": a subtree is a prefix
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
    default_mark = models.DecimalField(_("default mark"), max_digits=6, decimal_places=2, default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question_id", "number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="question_version_number_unique")]
