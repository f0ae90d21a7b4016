"""Shared by the grading modules: the finished statuses, the rounding unit, the refusal a trainer sees."""
from decimal import Decimal

from ..models import Attempt

FINISHED = (Attempt.Status.SUBMITTED, Attempt.Status.TIMED_OUT)
CENT = Decimal("0.01")
CHOICE_KINDS = ("single", "multiple", "truefalse")


class GradingRefused(Exception):
    """A grade cannot be recorded; the message says why, for the trainer."""
