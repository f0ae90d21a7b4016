import os

from django.core.wsgi import get_wsgi_application
from django.urls import reverse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Load the whole URLconf (Wagtail's admin, allauth, the django-ninja API and its schemas) while the worker boots,
# before it accepts a connection: otherwise the first request each gunicorn worker serves after a start, a restart
# or a deploy waits about half a second for these imports (bench/README.md), and during an exam's start burst
# those are candidates' requests.
reverse("healthz")
