from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = _("Units and roster")

    def ready(self):
        # Connects the signals that drop a saved user from the sign-in cache, in every process (web and workers).
        from . import auth_backends  # noqa: F401
