"""Role setup for the exams app: what the trainers' group may do in the admin."""


def exam_permissions_setup() -> None:
    """Trainers build topics, exams, sections and exam sessions in the admin. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    from org import roles

    trainer, _created = Group.objects.get_or_create(name=roles.TRAINER)
    codenames = [f"{action}_{model}" for model in ("exam", "examsection", "examoverride", "topic", "examsession")
                 for action in ("add", "change", "delete", "view")]
    trainer.permissions.add(*Permission.objects.filter(content_type__app_label="exams", codename__in=codenames))
