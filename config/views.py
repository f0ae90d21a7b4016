from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import FileResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from ninja.openapi.docs import Swagger

from org import roles

from .api import api

# Swagger UI from django-ninja's own static files (ninja is in INSTALLED_APPS), so the page works offline and loads
# nothing from another host; no badge from Swagger's online validator either.
API_DOCS = Swagger(settings={"validatorUrl": None})


FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.ico"


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request):
    """/favicon.ico, which browsers ask for by itself (before any page names its icon, and for PDFs and JSON)."""
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")


def healthz(request):
    """Liveness for the load balancer and docker healthchecks: the database and the cache answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    cache.set("healthz", 1, 5)
    return JsonResponse({"status": "ok"})


@login_required
def api_docs(request):
    """The API's documentation (Swagger UI) for trainers, personnel officers and administrators."""
    user = request.user
    if not (roles.is_admin(user) or roles.is_trainer(user) or roles.is_personnel(user)):
        raise PermissionDenied(_("The API documentation is for trainers, personnel officers and administrators."))
    return API_DOCS.render_page(request, api)
