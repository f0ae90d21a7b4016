from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from exams.signals import attempt_graded

        from .tasks import on_attempt_graded

        # Exam statistics are recomputed after grading (debounced, see reports.tasks).
        attempt_graded.connect(on_attempt_graded, dispatch_uid="reports.exam_statistics")
