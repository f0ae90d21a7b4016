from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from org.views import admin_login, sign_out

from .api import api
from .views import api_docs, favicon, healthz

urlpatterns = [
    # Wagtail's own login form would bypass allauth's rate limits and MFA: send it to ours.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/logout/", sign_out),  # allauth's, forgetting the exam answers kept in the browser
    path("accounts/", include("allauth.urls")),
    path("api/docs", api_docs, name="api_docs"),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("org.urls")),
    path("", include("content.urls")),
    path("", include("exams.urls")),
    path("", include("lms.urls")),
    path("", include("reports.urls")),
]
if settings.BENCH_FLOOR:
    # A bare view doing the autosave's database write, for the benchmark's floor (bench/README.md). Off by default.
    from bench.floor import urlpatterns as bench_urls

    urlpatterns += bench_urls
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns.append(path("", include(wagtail_urls)))
