"""One settings module, driven by the environment (django-environ).

Defaults give the embedded mode: SQLite file, Celery tasks run eagerly in-process, local-memory cache,
console e-mail. DATABASE_URL switches to PostgreSQL; REDIS_URL switches cache, sessions and the Celery broker
to Redis, with separate worker and beat processes.
"""
import ipaddress
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Anyone who has read this file could sign sessions, password-reset links and tokens with this key: it serves the
# development server (DEBUG on) only. With DEBUG off the platform refuses to start without a key of its own.
DEVELOPMENT_SECRET_KEY = "django-insecure-embedded-mode-only-do-not-use-in-production"
SECRET_KEY = env("SECRET_KEY", default="") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or is the built-in development key while DEBUG is off, so the platform will not start. "
        "Set SECRET_KEY to a long random secret (for example the output of "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=true on a development machine.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # Project apps first so their templates override the libraries'.
    "org",
    "content",
    "exams",
    "lms",
    "reports",
    "demo",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.table_block",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Tasks
    "django_celery_beat",
    # API docs (Swagger UI served from ninja's own static files) and the Content-Security-Policy
    "ninja",
    "csp",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "org.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages' Content-Security-Policy and Permissions-Policy (static files, answered by WhiteNoise, need neither).
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "org.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "org.middleware.StaffMFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "config.middleware.SiteNotFoundPageMiddleware",  # with DEBUG on, the site's own 404 rather than Django's
]
# Django's technical 404 page (the URL patterns tried) instead of the site's own, with DEBUG on.
DEBUG_TECHNICAL_404 = env.bool("DEBUG_TECHNICAL_404", default=False)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "org.context_processors.current_official",
                "content.context_processors.site_nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while an import writes; IMMEDIATE avoids "database is locked" on upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "transaction_mode": "IMMEDIATE",
         "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

# --- Cache, sessions, Celery ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cchc"),
        }
    }
    # Sessions are kept in the database and cached in Redis: Redis is a cache and a broker here, never the only copy
    # of something a candidate needs. A Redis restarted empty must not sign every candidate out mid-exam.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cchc"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not (REDIS_URL or env("CELERY_BROKER_URL", default="")))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
from celery.schedules import crontab  # noqa: E402

# Periodic tasks; django-celery-beat copies these into its database schedule, where administrators can adjust them.
CELERY_BEAT_SCHEDULE = {
    "org-fail-stale-imports": {"task": "org.tasks.import_jobs_fail_stale_task", "schedule": 3600.0},
    "content-publish-scheduled": {"task": "content.tasks.publish_scheduled_task", "schedule": 60.0},
    "exams-finalise-overdue": {"task": "exams.tasks.finalise_overdue_attempts", "schedule": 30.0},
    # LMS: statuses that change with the calendar at night, reminders every morning, digests on Monday mornings.
    "lms-refresh-statuses": {"task": "lms.tasks.assignment_status_refresh_task",
                             "schedule": crontab(hour=0, minute=15)},
    "lms-reminders": {"task": "lms.tasks.reminders_send_task", "schedule": crontab(hour=7, minute=0)},
    "lms-weekly-digest": {"task": "lms.tasks.digests_send_task", "schedule": crontab(hour=7, minute=30, day_of_week=1)},
    # Reports: the day's coverage is recorded late in the evening, so a snapshot dated D is the state at the end of D.
    "reports-coverage-snapshot": {"task": "reports.tasks.coverage_snapshot_task",
                                  "schedule": crontab(hour=23, minute=45)},
    "reports-purge-exports": {"task": "reports.tasks.export_jobs_purge_task",
                              "schedule": crontab(hour=3, minute=0)},
}

# --- Accounts ---------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "org.auth_backends.AccountBackend",
    "org.auth_backends.EmployeeCodeBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/toi/"
ACCOUNT_ADAPTER = "org.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Password sign-in limits, applied by org.signin (its docstring gives the reasons): per address on the open internet,
# per account and place (a "key" is an account with an address, or with a browser that signed in to it before), and a
# ceiling per account for unfamiliar places. Exam-room addresses are not limited per address like the open internet.
ACCOUNT_RATE_LIMITS = {
    # allauth's own per-address limit on the sign-in form would throttle a whole exam room behind one NAT address:
    # off, and "login_ip" below is applied instead outside the exam rooms.
    "login": "",
    "login_ip": env("LOGIN_RATE_LIMIT", default="30/m/ip"),
    # Wrong passwords per address (open internet) and per account and place. allauth.mfa also counts wrong
    # second-factor codes here.
    "login_failed": env("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "login_failed_account": env("LOGIN_FAILED_ACCOUNT_RATE_LIMIT", default="30/h/key"),
    # In an exam room only per account and place: a per-address count there would be one cache key (and lock) that
    # a whole room contends for at once, and allauth refuses an attempt that waits over a second for that lock.
    "login_failed_exam_room": env("EXAM_ROOM_LOGIN_FAILED_RATE_LIMIT", default="5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# Exam rooms' networks (CIDRs, e.g. the NAT address of each district's exam room): a room signs in at once.
EXAM_ROOM_NETWORKS = [str(ipaddress.ip_network(net, strict=False))
                      for net in env.list("EXAM_ROOM_NETWORKS", default=[])]
# ...and, unless turned off, the allowed IP ranges (a LAN or narrower) of the exams open now or within the hour.
EXAM_ROOM_NETWORK_SOURCES = (["exams.selectors.exam_room_networks"]
                             if env.bool("EXAM_ROOM_NETWORKS_FROM_EXAMS", default=True) else [])
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CCHC Đồng Nai] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CCHC Dong Nai"
REQUIRE_STAFF_MFA = env.bool("REQUIRE_STAFF_MFA", default=False)
# The benchmark's bare floor view (bench/floor.py); never on in production.
BENCH_FLOOR = env.bool("BENCH_FLOOR", default=False)
DEMO_PASSWORD = env("DEMO_PASSWORD", default="DongNai@2020")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language, time, formats ------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Project strings first, then translations we supply for libraries whose catalogues lack Vietnamese.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("vi", "Tiếng Việt")]

# --- Static and media -------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_FILE_SIZE = env.int("IMPORT_MAX_FILE_SIZE", default=30 * 1024 * 1024)

# --- E-mail and SMS ---------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CCHC Đồng Nai <no-reply@cchc.dongnai.example>")
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
# SMS gateway: a dotted path to a class like lms.sms.ConsoleBackend (prints; the default) or a provider's backend.
SMS_BACKEND = env("SMS_BACKEND", default="lms.sms.ConsoleBackend")
LMS_REMIND_DAYS_BEFORE_DUE = tuple(env.list("LMS_REMIND_DAYS_BEFORE_DUE", cast=int, default=[14, 3]))

# --- Wagtail ----------------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Đào tạo, sát hạch CCHC Đồng Nai"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "/admin/login/"  # org.views.admin_login: allauth for strangers, a refusal for the signed-in
WAGTAIL_ALLOW_UNICODE_SLUGS = False
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = True  # field tags get ASCII slugs too: ?linh-vuc=co-che-mot-cua  # ASCII addresses: /khoa-hoc/thu-tuc-hanh-chinh/
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# The admin asks no other host for anything (the Content-Security-Policy allows none, and a closed network has none):
# no avatars from Gravatar (it would learn staff e-mail hashes), no release check against wagtail.org.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "txt", "zip"]

# --- Security ---------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Served over HTTPS (docker-compose.yml: TLS in front of the proxy): cookies are never sent over plain HTTP, and
# browsers are told to use HTTPS only for this host for SECURE_HSTS_SECONDS (sent on HTTPS responses only).
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The TLS terminator in front says in X-Forwarded-Proto how the browser came (deploy/nginx passes it on).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
# Off by default: other hosts of the province's domain may still serve plain HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Usually the TLS terminator redirects plain HTTP itself; the healthchecks call the application over HTTP.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind the reverse proxy (deploy/nginx, docker-compose.yml): the header in which it passes the client's address.
# Empty (the default) when Django faces clients itself: then a client could claim any address in such a header.
TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="")
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = TRUSTED_CLIENT_IP_HEADER or None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_REFERRER_POLICY = "same-origin"
# The public page (/cong-khai/) publishes no result of a group of fewer people than this, as statistical offices do.
PUBLIC_MIN_GROUP_SIZE = env.int("PUBLIC_MIN_GROUP_SIZE", default=5)

# Content-Security-Policy (django-csp). Scripts come from this site's own files only: no inline script, no eval, no
# other host, so injected markup cannot run code. Styles may be inline (templates carry <style> blocks and the
# coverage bars set their width in a style attribute); images may be data: URIs (certificate QR codes, Swagger's
# icons). Videos embedded in lessons play in frames from the hosts listed in VIDEO_FRAME_HOSTS.
# The Wagtail admin (/admin/) gets a looser policy of its own: config/middleware.py.
VIDEO_FRAME_HOSTS = env.list("VIDEO_FRAME_HOSTS", default=[
    "https://www.youtube.com", "https://www.youtube-nocookie.com", "https://player.vimeo.com"])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "media-src": [SELF],
        "frame-src": [SELF, *VIDEO_FRAME_HOSTS],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}
# Powerful browser features the platform never uses are switched off for its pages and anything they embed.
PERMISSIONS_POLICY = {feature: [] for feature in (
    "camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "midi", "display-capture",
    "browsing-topics")}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail logs every page action and django-tasks every background task at INFO: keep the console readable.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}
