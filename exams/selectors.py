"""Reads for the question bank."""
from django.db.models import Count, Q, QuerySet

from org import roles

from .models import Question, Topic


def can_use_bank(user) -> bool:
    """Trainers and administrators keep the question bank."""
    return roles.is_trainer(user) or roles.is_admin(user)


def topics_with_counts() -> QuerySet[Topic]:
    """Every topic in tree order with its number of questions in use (not counting sub-topics)."""
    return Topic.objects.annotate(n=Count("questions", filter=Q(questions__is_active=True))).order_by("path")


def questions_in(topic: Topic) -> QuerySet[Question]:
    """Questions in a topic and its sub-topics, with their current version."""
    return (Question.objects.filter(topic__path__startswith=topic.path, is_active=True)
            .select_related("current_version", "topic").order_by("topic__path", "id"))
