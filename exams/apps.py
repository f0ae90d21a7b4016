from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _exam_saved(sender, instance, **kwargs):
    from .services import room_rules_forget

    room_rules_forget()  # this process applies new IP ranges at once; others within ROOM_RULES_TTL


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = _("Exams")

    def ready(self):
        post_save.connect(_exam_saved, sender="exams.Exam", dispatch_uid="exams-room-rules")
