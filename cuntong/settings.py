"""Settings for Cuntong, read from environment variables.

One settings module serves development, tests and production; ``CUNTONG_ENV=production`` switches on the
hardening that a level-3 (等保三级) assessment checks and refuses to start without real secrets.
"""

import os
import sys
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CUNTONG_VAR_DIR", BASE_DIR / "var"))
ENVIRONMENT = os.environ.get("CUNTONG_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"


def _local_secrets() -> dict[str, str]:
    """Secrets that `make run` wrote to var/secrets.env; never used in production."""
    path = VAR_DIR / "secrets.env"
    if PRODUCTION or not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


_LOCAL = _local_secrets()


def secret(name: str, development_default: str = "") -> str:
    value = os.environ.get(name) or _LOCAL.get(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in the environment when CUNTONG_ENV=production")
    return development_default


DEBUG = os.environ.get("CUNTONG_DEBUG", "0" if PRODUCTION else "1") == "1"
SECRET_KEY = secret("CUNTONG_SECRET_KEY", "development-only-secret-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = os.environ.get("CUNTONG_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver").split(
    ","
)
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CUNTONG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Personal-data keys (see cuntong/core/crypto.py). The development defaults only ever protect generated demo data.
DATA_ENCRYPTION_KEYS = [
    k for k in secret("CUNTONG_DATA_KEYS", "Y3VudG9uZy1kZXZlbG9wbWVudC1rZXktMzJieXRlcyE=").split(",") if k
]
DATA_HASH_KEY = secret("CUNTONG_HASH_KEY", "development-blind-index-key")

INSTALLED_APPS = [
    "cuntong.core",
    "cuntong.web",
    "cuntong.accounts",
    "cuntong.audit",
    "cuntong.geo",
    "cuntong.programme",
    "cuntong.jobs",
    "cuntong.notify",
    "cuntong.attachments",
    "cuntong.people",
    "cuntong.funds",
    "cuntong.stations",
    "cuntong.training",
    "cuntong.logistics",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "pgtrigger",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cuntong.accounts.middleware.SessionSecurityMiddleware",
    "cuntong.audit.middleware.RequestContextMiddleware",
    "cuntong.programme.middleware.CurrentProgrammeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cuntong.urls"
WSGI_APPLICATION = "cuntong.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cuntong.programme.context_processors.shell",
            ],
            "builtins": ["cuntong.core.templatetags.cuntong"],
        },
    }
]

# --- Database: DATABASE_URL, else SQLite in WAL mode ------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "cuntong.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: local memory, or Redis when REDIS_URL is set ---------------------------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Public pages (core/public.py): requests per client address and view; writes refused in development ---------
PUBLIC_RATE_LIMIT = os.environ.get("CUNTONG_PUBLIC_RATE_LIMIT", "120/minute")
PUBLIC_VIEWS_REFUSE_WRITES = DEBUG

# --- Background tasks: database queue by default, RQ on Redis when CUNTONG_TASKS=redis ---------------------------
if os.environ.get("CUNTONG_TASKS") == "redis":
    INSTALLED_APPS += ["django_tasks_rq", "django_rq"]
    RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif os.environ.get("CUNTONG_TASKS") == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Notifications (cuntong/notify): the channels sent on besides the inbox, and their gateways (README) -------------
NOTIFY = {
    "channels": [c for c in os.environ.get("CUNTONG_NOTIFY_CHANNELS", "" if PRODUCTION else "console").split(",") if c],
    "site_url": os.environ.get("CUNTONG_SITE_URL", ""),  # makes links in e-mail, SMS and robots absolute
    "max_attempts": int(os.environ.get("CUNTONG_NOTIFY_MAX_ATTEMPTS", "5")),
    "retry_base": int(os.environ.get("CUNTONG_NOTIFY_RETRY_SECONDS", "60")),  # doubling after each failure …
    "retry_cap": int(os.environ.get("CUNTONG_NOTIFY_RETRY_CAP_SECONDS", "3600")),  # … up to this
    "timeout": 10,
    "file_path": os.environ.get("CUNTONG_NOTIFY_FILE", ""),
    "wecom_webhook": os.environ.get("CUNTONG_WECOM_WEBHOOK", ""),
    "dingtalk_webhook": os.environ.get("CUNTONG_DINGTALK_WEBHOOK", ""),
    "dingtalk_secret": os.environ.get("CUNTONG_DINGTALK_SECRET", ""),
    "sms_url": os.environ.get("CUNTONG_SMS_URL", ""),
    "sms_template": os.environ.get("CUNTONG_SMS_TEMPLATE", ""),
    "sms_sign": os.environ.get("CUNTONG_SMS_SIGN", ""),
    "sms_key": os.environ.get("CUNTONG_SMS_KEY", ""),
    "sms_secret": os.environ.get("CUNTONG_SMS_SECRET", ""),
}

# --- Authentication and login security (等保 2.0 level 3) -----------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cuntong.accounts.backends.MembershipBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "cuntong.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "cuntong.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"remember": 5}},
]
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("CUNTONG_PASSWORD_MAX_AGE_DAYS", "90"))
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (accounts/lockout.py): five failures lock one account from one address, for 15 minutes doubling with each
# repeated lockout within a day; 50 failures from one address across accounts lock the address. Nobody can lock a
# colleague out by guessing, each lockout alerts the security administrators, who can also unlock at once.
AXES_HANDLER = "cuntong.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("CUNTONG_LOCKOUT_FAILURES", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("CUNTONG_LOCKOUT_ADDRESS_FAILURES", "50"))
LOCKOUT_COOL_OFF_MINUTES = int(os.environ.get("CUNTONG_LOCKOUT_MINUTES", "15"))
AXES_COOLOFF_TIME = "cuntong.accounts.lockout.cool_off"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the retry time shown stays true
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cuntong.accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "cuntong.accounts.lockout.username_of"
AXES_USERNAME_FORM_FIELD = "username"
SECURITY_ALERT_EMAILS = [a for a in os.environ.get("CUNTONG_SECURITY_ALERT_EMAILS", "").split(",") if a]
EMAIL_HOST = os.environ.get("CUNTONG_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CUNTONG_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("CUNTONG_EMAIL_FROM", "cuntong@localhost")
EMAIL_TIMEOUT = 10  # an unreachable mail server must not hold up the login that triggered an alert
AXES_ENABLE_ADMIN = False
# Behind reverse proxies (nginx …) every request comes from the proxy, so lockout per address and the audit trail
# read the client from X-Forwarded-For, trusting as many hops as proxies are declared (0: REMOTE_ADDR only).
PROXY_COUNT = int(os.environ.get("CUNTONG_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "cuntong.core.addresses.client_address"

SESSION_IDLE_TIMEOUT_SECONDS = int(os.environ.get("CUNTONG_IDLE_TIMEOUT", str(30 * 60)))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
OTP_TOTP_ISSUER = "村通 Cuntong"  # which roles require two-factor is each role's requires_otp (accounts/roles.py)

AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("CUNTONG_AUDIT_RETENTION_DAYS", "180")))

# --- Internationalisation: Chinese first ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS: list = []  # each app keeps its own locale/ directory
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("CUNTONG_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from npm (package.json pins them); only their built files are exposed.
STATICFILES_DIRS = [
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("CUNTONG_MEDIA_ROOT", VAR_DIR / "media"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("CUNTONG_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
# Optional host of its own for attachment downloads (files.example.gov.cn): links point there, so even a file a
# browser chose to render would not share the application's origin. It serves the same application; the session
# cookie must reach it (CUNTONG_SESSION_COOKIE_DOMAIN=.example.gov.cn).
ATTACHMENT_HOST = os.environ.get("CUNTONG_ATTACHMENT_HOST", "")
if ATTACHMENT_HOST:
    ALLOWED_HOSTS.append(ATTACHMENT_HOST)
SESSION_COOKIE_DOMAIN = os.environ.get("CUNTONG_SESSION_COOKIE_DOMAIN") or None
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# --- Map tiles: AMap tiles use GCJ-02, so the map helper shifts WGS-84 points before drawing ---------------------
MAP_TILES = {
    "url": os.environ.get(
        "CUNTONG_MAP_TILE_URL",
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
    ),
    "subdomains": "1234",
    "crs": os.environ.get("CUNTONG_MAP_TILE_CRS", "gcj02"),
    "attribution": "© 高德地图 AutoNavi",
}

# --- API ---------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cuntong.accounts.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "cuntong.web.pagination.Pagination",
    "EXCEPTION_HANDLER": "cuntong.web.api.exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "村通 Cuntong API",
    "DESCRIPTION": "Rural e-commerce demonstration programme platform. Every endpoint is scoped by the caller's role and area.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The API's description is for members (session or token, like the API itself), never for anonymous visitors.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FundSourceEnum": "cuntong.programme.models.FundSource",
        "TrainingTopicEnum": "cuntong.training.models.Topic",
        "ParcelStatusEnum": "cuntong.logistics.models.ParcelStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cuntong.web.openapi.document_error_responses",
    ],
}

# --- Content Security Policy: scripts only from our own origin; data reaches pages through json_script ----------
_TILE_HOSTS = ["https://*.is.autonavi.com", "https://*.tile.openstreetmap.org"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_TILE_HOSTS],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Production hardening ----------------------------------------------------------------------------------------
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("CUNTONG_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True
    if not os.environ.get("CUNTONG_DATA_KEYS") or not os.environ.get("CUNTONG_HASH_KEY"):
        raise ImproperlyConfigured("CUNTONG_DATA_KEYS and CUNTONG_HASH_KEY must be set in production")
    # Production serves static files through a manifest; without `collectstatic` every page fails.
    if not (STATIC_ROOT / "staticfiles.json").exists() and "collectstatic" not in sys.argv:
        warnings.warn(
            f"no collected static files in {STATIC_ROOT}: run `cuntong collectstatic --noinput` before starting, "
            "or every page will answer 500",
            RuntimeWarning,
            stacklevel=1,
        )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "cuntong.core.personal.MaskPersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CUNTONG_LOG_LEVEL", "WARNING")},
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CUNTONG_DEFAULT_PLAN = BASE_DIR / "plans" / "puning-2019.yaml"
