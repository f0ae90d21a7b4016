from celery import shared_task
from django.core.management import call_command


@shared_task
def publish_scheduled_task() -> None:
    """Periodic: publish pages whose scheduled go-live time has come and unpublish expired ones (Wagtail's
    own command; safe to run twice)."""
    call_command("publish_scheduled", verbosity=0)
