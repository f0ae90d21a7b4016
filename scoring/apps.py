from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring and reports")

    def ready(self):
        from exams.signals import attempt_graded

        from .tasks import on_attempt_graded

        # Exam statistics are recomputed after grading (debounced, see scoring.tasks).
        attempt_graded.connect(on_attempt_graded, dispatch_uid="scoring.exam_statistics")
