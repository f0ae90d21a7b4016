"""Signals other apps listen to (the LMS recomputes completion when an exam grade is final or changes)."""
from django.dispatch import Signal

# Sent after an attempt is graded or its grade changes (submit, timeout, essay grading, regrade); kwargs: attempt.
attempt_graded = Signal()
