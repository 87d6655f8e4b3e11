"""Intercampus settings: every value comes from an environment variable.

Two modes, chosen by ``INTERCAMPUS_ENV``:

- ``development`` (the default): safe defaults for the demo on the embedded SQLite database,
  DEBUG on, a fixed development key, e-mail printed to the console.
- ``production``: nothing is assumed. An unsafe or missing setting stops the process at start
  (see ``_refuse_unsafe_production``) instead of serving with it.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

env = environ.Env()

INTERCAMPUS_ENV = env.str("INTERCAMPUS_ENV", default="development")
if INTERCAMPUS_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"INTERCAMPUS_ENV must be 'development' or 'production', not {INTERCAMPUS_ENV!r}."
    )
PRODUCTION = INTERCAMPUS_ENV == "production"

DEVELOPMENT_SECRET_KEY = "intercampus-development-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The address people reach the site at, for links in e-mails (no trailing slash).
SITE_URL = env.str("SITE_URL", default="" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")

DATA_DIR = Path(env.str("INTERCAMPUS_DATA_DIR", default=str(PROJECT_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "intercampus.core.admin_apps.OperatorAdminConfig",  # the admin, unscoped for operators
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "django_countries",
    "django_scopes",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "intercampus.core",
    "intercampus.accounts",
    "intercampus.institutions",
    "intercampus.network",
    "intercampus.mobility",
    "intercampus.onboarding",
    "intercampus.events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # NUL characters (PostgreSQL refuses them) and bodies over the limit: 400/404/413 at once.
    "intercampus.core.bad_requests.RefuseBadRequestsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "intercampus.core.i18n.PreferredLanguageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Resolves /i/<institution>/ once and runs the request inside that tenant's scope.
    "intercampus.core.tenancy.TenancyMiddleware",
]

ROOT_URLCONF = "intercampus.urls"
WSGI_APPLICATION = "intercampus.wsgi.application"

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
                "intercampus.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; DATABASE_URL=postgres://... selects PostgreSQL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'intercampus.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Sign-up and password reset never tell whether an address has an account: allauth answers
# "we sent you an e-mail" either way and writes to the owner. At sign-up this only holds when
# verification is mandatory (an account that signs in at once would tell), hence the
# production default; the demo keeps "optional" so its accounts sign in without mail.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "ACCOUNT_EMAIL_VERIFICATION", default="mandatory" if PRODUCTION else "optional"
)
ACCOUNT_LOGOUT_ON_GET = False
# Sign-in throttling (allauth), counted in the shared cache so that every worker process and
# host sees the same counts. Failures are limited per account *and address* (a guesser is
# stopped after 5 tries, the owner elsewhere is not locked out) and per address (300 failures
# in 5 minutes: far above what a campus behind one NAT address produces, far below a
# password-spraying run). Attempts, successful or not, per address: 300 a minute.
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": "300/5m/ip,5/5m/key",
}
# How many reverse proxies in front of the site append to X-Forwarded-For (the README's nginx
# is one). 0 (the default) uses the connection's address: right without a proxy, but behind
# one every client would share the proxy's address and its limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_SESSION_REMEMBER = None
LOGIN_URL = "account_login"
# The adapter sends each person to their start page (LOGIN_REDIRECT_URL is only its fallback)
# and counts failed sign-ins per account and address.
ACCOUNT_ADAPTER = "intercampus.accounts.adapter.AccountAdapter"
LOGIN_REDIRECT_URL = "me:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "network:home"

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("fr", _("French")),
    ("pt-br", _("Brazilian Portuguese")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language, 24-hour clock (see intercampus/formats).
FORMAT_MODULE_PATH = ["intercampus.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # WhiteNoise's compressed manifest storage, minus source-map rewriting.
            "intercampus.core.staticfiles.ManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# In development whitenoise serves from the finders, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = DEBUG

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Intercampus <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ----------------------------------------------------------------------------------
# Shared by every process: sign-in throttling must not multiply with the number of workers.
# The database cache needs no extra server; its table is made after each migrate
# (core/apps.py). CACHE_URL=redis://... selects Redis where there is one.
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://intercampus_cache")}

# --- Background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy: everything from this site, nothing inline (scripts are files, chart
# data is JSON in <script type="application/json">), no plugins, no framing, forms post here.
# A cross-site script that slipped into a page could neither run nor send data elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        # Pico's and Swagger UI's icons are data: URIs.
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    }
}
# Permissions-Policy: the platform uses no camera, microphone, location, payment or USB device;
# no page, and nothing embedded in one, may ask for them.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Intercampus ----------------------------------------------------------------------------
# Institutions used by ``intercampus demo``; the public home page shows this consortium first.
INTERCAMPUS_DEFAULT_CONSORTIUM = env.str("INTERCAMPUS_DEFAULT_CONSORTIUM", default="cluster")
NINJA_PAGINATION_PER_PAGE = 50


def _weak_secret(key: str) -> bool:
    """Whether ``key`` cannot be a random secret: short, the development key, made of few
    characters, or one short pattern repeated ("abcdef" ten times is 60 characters)."""
    if len(key) < 50 or key == DEVELOPMENT_SECRET_KEY or len(set(key)) < 16:
        return True
    return any(
        key == (key[:period] * (len(key) // period + 1))[: len(key)]
        for period in range(1, len(key) // 2 + 1)
    )


def _refuse_unsafe_production() -> None:
    """Stop the process at start when production mode is asked for with an unsafe setting."""
    problems = []
    if DEBUG:
        problems.append("DEBUG must be false in production.")
    if _weak_secret(SECRET_KEY):
        problems.append(
            "SECRET_KEY must be set to a random value of at least 50 characters "
            '(python3 -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    if not SITE_URL.startswith("https://"):
        problems.append("SITE_URL must be the https:// address of the site, for links in e-mails.")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the host names served (no '*').")
    if EMAIL_CONFIG.get("EMAIL_BACKEND", "").endswith(
        ("console.EmailBackend", "dummy.EmailBackend")
    ):
        problems.append("EMAIL_URL must name a real mail server (smtp:// or smtp+tls://).")
    if problems:
        raise ImproperlyConfigured(
            "Intercampus refuses to start in production mode:\n  - " + "\n  - ".join(problems)
        )


if PRODUCTION:
    _refuse_unsafe_production()
