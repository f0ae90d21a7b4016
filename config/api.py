from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import django_auth

from exams.api import router as exams_router
from lms.api import router as lms_router
from org.api import router as org_router

api = NinjaAPI(
    title="CCHC Đồng Nai API",
    version="1",
    description="Đào tạo, sát hạch cán bộ về cải cách hành chính — units, roster, imports.",
    auth=django_auth,
    urls_namespace="api",
)
api.add_router("/", org_router)
api.add_router("/", exams_router)
api.add_router("/", lms_router)


@api.exception_handler(PermissionError)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": _("You do not have permission to do this.")}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    # Not ninja's English "Not Found": the same words whether the object is missing or someone else's.
    return api.create_response(
        request, {"detail": _("This item does not exist, or it is outside what your account may see.")}, status=404)
