"""Trainers' grading after submission, by concern: scores (and the grade check), the essay queue, regrading after
a question is corrected, and the final grade across attempts. Every change of a grade writes a `GradeChange` row and
sends `exams.signals.attempt_graded` once the transaction commits (the LMS recomputes completion on it). The names
are re-exported here, so `from exams import grading; grading.essay_grade(...)` reads as before."""
from .base import CENT, CHOICE_KINDS, FINISHED, GradingRefused  # noqa: F401
from .scores import attempt_passed, attempts_grade_mismatches, percent_of, points_text, score_of  # noqa: F401
from .essays import EssayItem, anonymous_code, essay_counts, essay_grade, essay_items, essays_of  # noqa: F401
from .regrade import AttemptChange, RegradePlan, Skipped, SlotChange, incompatibility, regrade_apply, regrade_preview, regrade_questions  # noqa: F401
from .results import ATTEMPT_FIELDS, ExamGrade, ResultRow, exam_results, final_percent, grade_changes_of, official_exam_grade, officials_passed  # noqa: F401
