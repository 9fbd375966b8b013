"""Django settings for Okienko. Values that vary between machines come from ``conf.env``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from okienko.conf.env import database_settings, image_sources, read_environment, secret_key

# Lets generic Django classes be written with their type arguments (ModelAdmin[Case], ModelForm[…]).
django_stubs_ext.monkeypatch()


def _json_list(name: str) -> list[Any]:
    """An environment variable holding a JSON list (empty or unset: an empty list)."""
    raw = os.environ.get(name, "").strip()
    try:
        value = json.loads(raw) if raw else []
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from exc
    if not isinstance(value, list):
        raise ImproperlyConfigured(f"{name} must be a JSON list")
    return value


ENV = read_environment()
PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent.parent  # the repository root in a source checkout
# Real public data sets shared by the team (../shared/data next to the repository).
DATA_DIR = Path(ENV.data_dir) if ENV.data_dir else (BASE_DIR.parent / "shared" / "data")
VAR_DIR = ENV.var_dir
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = secret_key(VAR_DIR)
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts + (["testserver"] if ENV.profile == "test" else [])
SITE_URL = ENV.site_url

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_otp",
    "okienko.accounts.thirdparty_apps.OtpTotpConfig",  # django_otp.plugins.otp_totp, named in Polish
    "okienko.accounts.thirdparty_apps.OtpStaticConfig",  # django_otp.plugins.otp_static
    "okienko.accounts.thirdparty_apps.AxesConfig",  # axes, named in Polish
    "csp",
    "okienko.core",
    "okienko.accounts",
    "okienko.clients",
    "okienko.catalogue",
    "okienko.knowledge",
    "okienko.cases",
    "okienko.interactions",
    "okienko.channels",
    "okienko.telephony",
    "okienko.telephony.ivr",
    "okienko.contracting.registry",
    "okienko.contracting",
    "okienko.contracting.exchange",
    "okienko.jobs",
    "okienko.jobs.seekers",
    "okienko.jobs.alerts",
    "okienko.jobs.appointments",
    "okienko.jobs.events",
    "okienko.notifications",
    "okienko.reports",
    "okienko.integrations",
    "okienko.api",
    "okienko.desk",
    "okienko.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "okienko.core.middleware.RequestContextMiddleware",
    "okienko.core.edition.EditionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "okienko.accounts.middleware.ActiveOrganisationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "okienko.core.limits.InputLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "okienko.conf.urls"
ASGI_APPLICATION = "okienko.conf.asgi.application"
WSGI_APPLICATION = "okienko.conf.wsgi.application"

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
                "okienko.accounts.context_processors.desk",
            ],
        },
    },
]

DATABASES = {"default": database_settings(ENV.database_url, ENV.db_pool_size, jit=ENV.db_jit)}
# Reports read from a replica when one is configured (issue 20); the router sends nothing else there.
if ENV.database_replica_url:
    DATABASES["replica"] = {
        **database_settings(ENV.database_replica_url, ENV.db_pool_size, jit=ENV.db_jit),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["okienko.reports.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if ENV.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ENV.redis_url,
            "KEY_PREFIX": "okienko",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # Redis pub/sub: messages go straight to the processes holding the connections (the
            # list-based layer queued each one and, under load, lagged and dropped lines; ADR 0057)
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [ENV.redis_url]},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "okienko_cache",
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "okienko.core.layers.InMemoryChannelLayer"}}

# --- Authentication and sessions -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "desk:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working shift
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # idle sessions expire; active ones slide
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = ENV.secure_cookies
CSRF_COOKIE_SECURE = ENV.secure_cookies
CSRF_COOKIE_HTTPONLY = False  # HTMX reads it from the page meta tag, not the cookie
CSRF_FAILURE_VIEW = "okienko.desk.errors.csrf_failure"  # staff get the desk layout; visitors core.views
CSRF_TRUSTED_ORIGINS = [ENV.site_url]

# Lock a user name after 5 failures from anywhere, and refuse an address after 30 failures across
# any user names (accounts.lockout), for the cool-off time. The address is core.middleware.client_ip:
# X-Forwarded-For counts only from OKIENKO_TRUSTED_PROXIES.
AXES_FAILURE_LIMIT = 5
LOGIN_IP_FAILURE_LIMIT = 30
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "okienko.accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "okienko.core.middleware.client_ip"
TRUSTED_PROXIES = list(ENV.trusted_proxies)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Okienko"

# --- Security headers ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page needs are switched off (core.middleware.protect_response); maps may ask
# for the position on our own pages only.
PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "camera=()",
        "display-capture=()",
        "geolocation=(self)",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "payment=()",
        "usb=()",
    ]
)
if ENV.profile == "production":
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": image_sources(ENV.map_tiles),  # with the configured base-map tiles' host
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS: list[Path] = []  # every app keeps its own locale/ folder
# One date and time format per language, used through okienko.core.formatting (templates: |when, |day).
FORMAT_MODULE_PATH = ["okienko.conf.formats"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = ENV.secure_cookies
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and uploaded files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "files"}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded files live outside the web root and are streamed by views that check permissions.
MEDIA_ROOT = VAR_DIR / "files"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Whole request bodies above this are refused (413) by the ASGI entry point before Django spools
# them to disk: the largest accepted upload (10 MB) plus the form around it.
REQUEST_MAX_BYTES = 12 * 1024 * 1024
# Syriusz exports uploaded on the desk (issue 17): a 100,000-row CSV export is about 33.5 MB
# (registry.synthetic, bench/registry_import.py); the desk takes up to 64 MB (some 190,000 rows),
# spooled to a temporary file past FILE_UPLOAD_MAX_MEMORY_SIZE, and imports it in the background.
CONTRACTING_REGISTRY_UPLOAD_MAX_BYTES = int(os.environ.get("OKIENKO_REGISTRY_UPLOAD_MAX_BYTES", str(64 * 1024 * 1024)))
# The only paths whose request bodies may exceed REQUEST_MAX_BYTES (the file and the form around it).
REQUEST_MAX_BYTES_BY_PATH = {"/desk/registry/imports/": CONTRACTING_REGISTRY_UPLOAD_MAX_BYTES + 1024 * 1024}
# The stored exports hold personal data: their content is deleted this many days after the import.
OKIENKO_REGISTRY_IMPORT_RETENTION_DAYS = int(os.environ.get("OKIENKO_REGISTRY_IMPORT_RETENTION_DAYS", "30"))
# The exchange between installations (issue 18, docs/contracting/exchange.md): an RFC 3161
# time-stamping authority (empty: none) and its certificate (PEM or DER file; tokens are then
# checked against it), and how many full calendar years an archive of the other side's data is
# kept after the year the contract's data was closed (category B5 of the office's file plan and
# art. 82 of Regulation 2021/1060 for EU-funded contracts: 5).
OKIENKO_EXCHANGE_TSA_URL = os.environ.get("OKIENKO_EXCHANGE_TSA_URL", "")
OKIENKO_EXCHANGE_TSA_CERT = os.environ.get("OKIENKO_EXCHANGE_TSA_CERT", "")
OKIENKO_EXCHANGE_ARCHIVE_YEARS = int(os.environ.get("OKIENKO_EXCHANGE_ARCHIVE_YEARS", "5"))
# The edition (issue 18, item 7): "full", or "agency" — only Kontraktor's desk and the exchange
# (core.edition, docs/contracting/agency-edition.md). Not OKIENKO_PROFILE, which says how it runs.
OKIENKO_EDITION = ENV.edition

# --- Telephony (issue 15) -----------------------------------------------------------------------
# The engine process (``okienko telephony``, started by ``runall``) listens on loopback; the web
# server relays the browsers' phone, desk and wallboard connections to it.
TELEPHONY_ENGINE_URL = os.environ.get("OKIENKO_TELEPHONY_URL", "ws://127.0.0.1:8765")
# The demo softphone for anyone (the embedded demo); elsewhere only staff place test calls.
TELEPHONY_PUBLIC_SOFTPHONE = os.environ.get(
    "OKIENKO_TELEPHONY_PUBLIC_SOFTPHONE", "1" if ENV.profile in {"embedded", "dev"} else "0"
) in {"1", "true", "yes", "on"}
# Real calls (issue 16): "" (the simulator only), "sip" (embedded pjsua2, optional extra) or "ari"
# (Asterisk). The simulator's softphone keeps working beside either. docs/telephony.md.
TELEPHONY_LINE = os.environ.get("OKIENKO_TELEPHONY_LINE", "")
TELEPHONY_SIP_LISTEN = os.environ.get("OKIENKO_SIP_LISTEN", "127.0.0.1:5060")
TELEPHONY_SIP_PUBLIC_HOST = os.environ.get("OKIENKO_SIP_PUBLIC_HOST", "")
TELEPHONY_ARI_URL = os.environ.get("OKIENKO_ARI_URL", "http://127.0.0.1:8088/ari")
TELEPHONY_ARI_USER = os.environ.get("OKIENKO_ARI_USER", "okienko")
TELEPHONY_ARI_PASSWORD = os.environ.get("OKIENKO_ARI_PASSWORD", "")
TELEPHONY_ARI_APP = os.environ.get("OKIENKO_ARI_APP", "okienko")
TELEPHONY_ARI_TRANSFER_CONTEXT = os.environ.get("OKIENKO_ARI_TRANSFER_CONTEXT", "okienko-transfer")
# Where a line rings a consultant who did not name a phone at login ({user}: their id).
TELEPHONY_AGENT_ENDPOINT = os.environ.get("OKIENKO_AGENT_ENDPOINT", "sip:agent-{user}@127.0.0.1:5070")
# The web address prompts are served from (``/telefon/prompt/<file>``), for Asterisk's media cache.
TELEPHONY_PROMPT_BASE_URL = os.environ.get("OKIENKO_PROMPT_BASE_URL", "")
# Consultants' browser phone (issue 16, part 8; optional): JsSIP on the console registers to
# Asterisk's PJSIP over WSS with the consultant's own SIP account (admin → Browser phone accounts).
# Off while the URL is empty. The engine then dials the browser as TELEPHONY_WEBRTC_DIAL says
# ({username}, {domain}); Asterisk's ARI needs a channel name, the embedded SIP line a SIP URI.
TELEPHONY_WEBRTC_WSS_URL = os.environ.get("OKIENKO_WEBRTC_WSS_URL", "")
TELEPHONY_WEBRTC_SIP_DOMAIN = os.environ.get("OKIENKO_WEBRTC_SIP_DOMAIN", "")
TELEPHONY_WEBRTC_DIAL = os.environ.get(
    "OKIENKO_WEBRTC_DIAL", "PJSIP/{username}" if TELEPHONY_LINE == "ari" else "sip:{username}@{domain}"
)
# A JSON list of RTCIceServer objects, e.g. [{"urls": "stun:stun.example:3478"}]; empty: none.
TELEPHONY_WEBRTC_ICE_SERVERS = _json_list("OKIENKO_WEBRTC_ICE_SERVERS")
# Calls the engine sends to the browser phone are answered at once (a cue sounds) or with a button.
TELEPHONY_WEBRTC_AUTO_ANSWER = os.environ.get("OKIENKO_WEBRTC_AUTO_ANSWER", "1") in {"1", "true", "yes", "on"}
if TELEPHONY_WEBRTC_WSS_URL:  # the console's page may open the WebSocket to the exchange
    _wss = urlsplit(TELEPHONY_WEBRTC_WSS_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"].append(f"{_wss.scheme}://{_wss.netloc}")
WHITENOISE_USE_FINDERS = DEBUG or ENV.profile == "test"

# --- E-mail --------------------------------------------------------------------------------
EMAIL_HOST = ENV.email_host
EMAIL_PORT = ENV.email_port
DEFAULT_FROM_EMAIL = ENV.default_from_email
SERVER_EMAIL = ENV.default_from_email
OKIENKO_MAIL_DOMAIN = ENV.mail_domain
OKIENKO_DKIM_DOMAIN = ENV.dkim_domain
OKIENKO_DKIM_SELECTOR = ENV.dkim_selector
OKIENKO_DKIM_KEY_FILE = ENV.dkim_key_file
OKIENKO_SMS_GATEWAY = ENV.sms_gateway
# Electronic forms (ADR 0056): signers' trusted CAs (off when empty), the receipts' seal, the drop folder.
OKIENKO_EFORMS_TRUSTED_CA_FILE = ENV.eforms_trusted_ca_file
OKIENKO_EFORMS_CRL_DIR = ENV.eforms_crl_dir
OKIENKO_EFORMS_CRL_REQUIRED = ENV.eforms_crl_required
OKIENKO_EFORMS_KEY_FILE = ENV.eforms_key_file
OKIENKO_EFORMS_CERT_FILE = ENV.eforms_cert_file
OKIENKO_EFORMS_INBOX = ENV.eforms_inbox
OKIENKO_EFORMS_MAX_BYTES = ENV.eforms_max_bytes
OKIENKO_SMSAPI_TOKEN = ENV.smsapi_token
OKIENKO_SMSAPI_URL = ENV.smsapi_url
OKIENKO_SMSAPI_CALLBACK_SECRET = ENV.smsapi_callback_secret
OKIENKO_SMPP_HOST = ENV.smpp["HOST"]
OKIENKO_SMPP_PORT = ENV.smpp["PORT"]
OKIENKO_SMPP_SYSTEM_ID = ENV.smpp["SYSTEM_ID"]
OKIENKO_SMPP_PASSWORD = ENV.smpp["PASSWORD"]
OKIENKO_SMPP_SYSTEM_TYPE = ENV.smpp["SYSTEM_TYPE"]
OKIENKO_SMPP_WINDOW = ENV.smpp["WINDOW"]

# --- Background work -----------------------------------------------------------------------
CELERY_BROKER_URL = ENV.broker_url
OPEN311_INTAKE = ENV.open311_intake
OPEN311_ADAPTIVE_LIMIT = ENV.open311_adaptive_limit
OPEN311_ADAPTIVE_RATE = ENV.open311_adaptive_rate
OPEN311_ADAPTIVE_HOLD = ENV.open311_adaptive_hold
OPEN311_DRAIN_YIELD_RATE = ENV.open311_drain_yield_rate
OPEN311_DRAIN_MIN_RATE = ENV.open311_drain_min_rate
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
OUTBOX_MAX_ATTEMPTS = 8
OUTBOX_BATCH_SIZE = 100

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "okienko.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "okienko.api.problems.handle",
    "DEFAULT_PARSER_CLASSES": [
        "okienko.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"token": "600/min"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# JSON bodies of the REST API above this size are refused with 413 (form bodies: DATA_UPLOAD_*).
API_MAX_JSON_BYTES = 1024 * 1024
# Responses to POSTs with an Idempotency-Key are replayed this long, then purged (hourly beat task).
API_IDEMPOTENCY_KEEP_HOURS = 24
# Webhook URLs resolving to loopback, private, link-local … addresses are refused unless this is on.
WEBHOOK_ALLOW_PRIVATE = ENV.webhook_allow_private

# Maps and geocoding (ADR 0051): base-map tiles and their attribution (none: the shipped boundaries
# only), and the geocoder behind the maps' address search (offline TERYT localities by default).
MAP_TILES = ENV.map_tiles
MAP_ATTRIBUTION = ENV.map_attribution
GEOCODER = ENV.geocoder
GEOCODER_URL = ENV.geocoder_url
GEOCODER_TIMEOUT = ENV.geocoder_timeout
GEOCODER_USER_AGENT = ENV.geocoder_user_agent
OKIENKO_TTS_VOICE = ENV.tts_voice
OKIENKO_TTS_RATE = ENV.tts_rate
SPECTACULAR_SETTINGS = {
    "TITLE": "Okienko API",
    "DESCRIPTION": "REST API of Okienko, the contact centre and case-management platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "okienko.cases.workflow.Status",
        "ClientStatusEnum": "okienko.clients.models.Client.Status",
        "ClientKindEnum": "okienko.clients.models.Client.Kind",
        "ContactKindEnum": "okienko.clients.models.ClientContact.Kind",
        "OrganisationKindEnum": "okienko.accounts.models.Organisation.Kind",
        "ServiceKindEnum": "okienko.catalogue.models.Service.Kind",
        "WebhookDeliveryStatusEnum": "okienko.integrations.webhooks.models.WebhookDelivery.Status",
        "ChannelEnum": "okienko.core.choices.Channel",
        "NotificationChannelEnum": "okienko.notifications.models.Channel",
        "SharingDirectionEnum": "okienko.contracting.models.Direction",
        "DirectionEnum": "okienko.interactions.models.Interaction.Direction",
        "JobContractTypeEnum": "okienko.jobs.states.ContractType",
        "AppointmentStatusEnum": "okienko.jobs.appointments.models.Status",
        "JobApplicationStatusEnum": "okienko.jobs.seekers.models.Application.Status",
        "JobItemStatusEnum": "okienko.jobs.events.states.ItemStatus",
        "ContractTypeEnum": "okienko.contracting.models.Placement.ContractType",
    },
}

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "okienko.core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"request": {"()": "okienko.core.logging.RequestContextFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if ENV.log_json else "plain",
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": ENV.log_level},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # One line per request (method, path, status, duration, user, request id).
        "okienko.access": {"level": ENV.log_level if ENV.profile != "test" else "WARNING"},
    },
}

if ENV.profile == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    AXES_ENABLED = True
    WHITENOISE_AUTOREFRESH = True
