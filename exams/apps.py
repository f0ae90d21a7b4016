from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _exam_saved(sender, instance, **kwargs):
    from .services import room_rules_forget

    room_rules_forget()  # this process applies new IP ranges at once; others within ROOM_RULES_TTL


def _reorganisation_impact(sender, unit_ids, **kwargs):
    """What a unit reorganisation would touch here: sittings under way for officials of the closing units. They
    go on: the paper is frozen and the candidate is the same person; only the unit on the results changes."""
    from django.utils.translation import gettext as _

    from org.models import Unit

    from .models import Attempt

    paths = list(Unit.objects.filter(pk__in=unit_ids).values_list("path", flat=True))
    if not paths:
        return []
    from django.db.models import Q

    cond = Q()
    for path in paths:
        cond |= Q(official__unit__path__startswith=path)
    open_ = Attempt.objects.filter(cond, status=Attempt.Status.IN_PROGRESS).select_related("exam", "official")
    rows = [f"{a.exam.title}: {a.official.full_name} ({a.official.employee_code})" for a in open_[:200]]
    return [{"title": _("Exam sittings under way"), "count": open_.count(), "rows": rows}]


def _prepared_paper_deleted(sender, instance, **kwargs):
    """A prepared paper deleted (its seat or session deleted) takes its READY sitting with it: a sitting nobody can
    start any more would only hold the official."""
    from .models import Attempt

    if instance.attempt_id:
        Attempt.with_prepared.filter(pk=instance.attempt_id, status=Attempt.Status.READY).delete()


def _permissions(sender, **kwargs):
    """After every migrate: the trainers' group may use the exam screens of the admin (sessions included)."""
    from .services import exam_permissions_setup

    exam_permissions_setup()


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = _("Exams")

    def ready(self):
        post_save.connect(_exam_saved, sender="exams.Exam", dispatch_uid="exams-room-rules")
        post_save.connect(_exam_saved, sender="exams.ExamRoom", dispatch_uid="exams-room-rules-rooms")
        from django.db.models.signals import post_delete

        post_delete.connect(_prepared_paper_deleted, sender="exams.PreparedPaper", dispatch_uid="exams-prepared")
        from django.db.models.signals import post_migrate

        post_migrate.connect(_permissions, sender=self, dispatch_uid="exams-trainer-permissions")
        from org.signals import reorganisation_impact

        reorganisation_impact.connect(_reorganisation_impact, dispatch_uid="exams-reorganisation-impact")
