"""One typed reader for settings taken from the environment.

Every setting that may differ between machines is read here, once, with its type and default,
so a typo in a variable name or value fails at start-up with a clear message.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class ConfigError(RuntimeError):
    """An environment variable holds a value of the wrong shape."""


def image_sources(map_tiles: str) -> list[str]:
    """The Content-Security-Policy ``img-src`` sources: our own and data: images, and the host of the
    configured base-map tiles (a ``{s}.`` subdomain placeholder becomes ``*.``); the tiles would be
    refused by the browser otherwise. A template that is not http(s) adds nothing."""
    sources = ["'self'", "data:"]
    parts = urlsplit(map_tiles.strip())
    host = re.sub(r"^\{[a-z]+\}\.", "*.", parts.netloc)
    if parts.scheme in ("http", "https") and host and not re.search(r"[{}\s;,']", host):
        sources.append(f"{parts.scheme}://{host}")
    return sources


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str) -> tuple[str, ...]:
    """A comma-separated list of IP addresses or networks (CIDR), each checked, in normal form."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as exc:
            raise ConfigError(f"{name} must list IP addresses or networks (CIDR), got {item!r}") from exc
    return tuple(networks)


def secret_key(var_dir: Path) -> str:
    """Return OKIENKO_SECRET_KEY, or a key generated once and kept in ``var/``."""
    explicit = os.environ.get("OKIENKO_SECRET_KEY")
    if explicit:
        return explicit
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    # Create with owner-only permissions; another process may win the race, so read back.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class Environment:
    """Settings that come from the environment, typed."""

    profile: str
    edition: str
    debug: bool
    var_dir: Path
    database_url: str
    database_replica_url: str
    redis_url: str
    broker_url: str
    allowed_hosts: list[str]
    secure_cookies: bool
    email_host: str
    email_port: int
    default_from_email: str
    mail_domain: str
    dkim_domain: str
    dkim_selector: str
    dkim_key_file: str
    eforms_trusted_ca_file: str
    eforms_crl_dir: str
    eforms_crl_required: bool
    eforms_key_file: str
    eforms_cert_file: str
    eforms_inbox: str
    eforms_max_bytes: int
    sms_gateway: str
    smsapi_token: str
    smsapi_url: str
    smsapi_callback_secret: str
    smpp: dict[str, str]
    log_json: bool
    log_level: str
    site_url: str
    data_dir: str
    db_pool_size: int
    db_jit: bool
    webhook_allow_private: bool
    open311_intake: str
    open311_adaptive_limit: int
    open311_adaptive_rate: int
    open311_adaptive_hold: float
    open311_drain_yield_rate: int
    open311_drain_min_rate: float
    trusted_proxies: tuple[str, ...]
    map_tiles: str
    map_attribution: str
    geocoder: str
    geocoder_url: str
    geocoder_timeout: float
    geocoder_user_agent: str
    tts_voice: str
    tts_rate: int

    @property
    def is_embedded(self) -> bool:
        return self.database_url.startswith("sqlite")


def read_environment() -> Environment:
    profile = env_str("OKIENKO_PROFILE", "embedded")
    if profile not in {"embedded", "dev", "test", "production"}:
        raise ConfigError(f"OKIENKO_PROFILE must be embedded, dev, test or production, got {profile!r}")
    var_dir = Path(env_str("OKIENKO_VAR_DIR", str(Path.cwd() / "var"))).resolve()
    database_url = env_str("DATABASE_URL", f"sqlite:///{var_dir / 'okienko.sqlite3'}")
    redis_url = env_str("REDIS_URL", "")
    broker_default = redis_url or f"sqla+sqlite:///{var_dir / 'celery-broker.sqlite3'}"
    edition = env_str("OKIENKO_EDITION", "full")
    if edition not in {"full", "agency"}:
        raise ConfigError(f"OKIENKO_EDITION must be full or agency, got {edition!r}")
    return Environment(
        profile=profile,
        edition=edition,
        debug=env_bool("OKIENKO_DEBUG", profile == "dev"),
        var_dir=var_dir,
        database_url=database_url,
        database_replica_url=env_str("DATABASE_REPLICA_URL", ""),
        redis_url=redis_url,
        broker_url=env_str("CELERY_BROKER_URL", broker_default),
        allowed_hosts=env_list("OKIENKO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"]),
        secure_cookies=env_bool("OKIENKO_SECURE_COOKIES", profile == "production"),
        email_host=env_str("OKIENKO_EMAIL_HOST", "127.0.0.1"),
        email_port=env_int("OKIENKO_EMAIL_PORT", 1025),
        default_from_email=env_str("OKIENKO_FROM_EMAIL", "Okienko <okienko@localhost>"),
        # The domain of the Message-IDs Okienko writes (replies name them: channels.email.threading).
        mail_domain=env_str("OKIENKO_MAIL_DOMAIN", "okienko.localhost"),
        # DKIM signing of outgoing mail (notifications.transports): all three, or none.
        dkim_domain=env_str("OKIENKO_DKIM_DOMAIN", ""),
        dkim_selector=env_str("OKIENKO_DKIM_SELECTOR", ""),
        dkim_key_file=env_str("OKIENKO_DKIM_KEY_FILE", ""),
        # Electronic forms (channels.eforms, ADR 0056): trusted CA certificates of signers (PEM; empty:
        # the signature is checked against its own certificate only), the receipts' key and
        # certificate (empty: a self-signed pair generated into var/eforms/), the drop folder.
        eforms_trusted_ca_file=env_str("OKIENKO_EFORMS_TRUSTED_CA_FILE", ""),
        # Certificate revocation lists of the signers' authorities (a folder of DER or PEM CRLs kept
        # current by the operator — no network at run time); required: refuse a signer whose
        # authority has no current list there.
        eforms_crl_dir=env_str("OKIENKO_EFORMS_CRL_DIR", ""),
        eforms_crl_required=env_bool("OKIENKO_EFORMS_CRL_REQUIRED", False),
        eforms_key_file=env_str("OKIENKO_EFORMS_KEY_FILE", ""),
        eforms_cert_file=env_str("OKIENKO_EFORMS_CERT_FILE", ""),
        eforms_inbox=env_str("OKIENKO_EFORMS_INBOX", ""),
        eforms_max_bytes=env_int("OKIENKO_EFORMS_MAX_BYTES", 10 * 1024 * 1024),
        # The SMS gateway (channels.sms.gateways): "file" (var/sms, the embedded default) or an operator's.
        sms_gateway=env_str("OKIENKO_SMS_GATEWAY", "file"),
        smsapi_token=env_str("OKIENKO_SMSAPI_TOKEN", ""),
        smsapi_url=env_str("OKIENKO_SMSAPI_URL", "https://api.smsapi.pl/"),
        smsapi_callback_secret=env_str("OKIENKO_SMSAPI_CALLBACK_SECRET", ""),
        smpp={
            name: env_str(f"OKIENKO_SMPP_{name}", default)
            for name, default in (
                ("HOST", "127.0.0.1"),
                ("PORT", "2775"),
                ("SYSTEM_ID", ""),
                ("PASSWORD", ""),
                ("SYSTEM_TYPE", ""),
                ("WINDOW", "1"),
            )
        },
        log_json=env_bool("OKIENKO_LOG_JSON", profile == "production"),
        log_level=env_str("OKIENKO_LOG_LEVEL", "INFO"),
        site_url=env_str("OKIENKO_SITE_URL", "http://127.0.0.1:8000"),
        data_dir=env_str("OKIENKO_DATA_DIR", ""),
        # PostgreSQL connection pool per process (0: a connection per request, as in the tests).
        db_pool_size=env_int("OKIENKO_DB_POOL_SIZE", 0 if profile == "test" else 10),
        # PostgreSQL's JIT compiler, off unless asked for (ADR 0070).
        db_jit=env_bool("OKIENKO_DB_JIT", False),
        # Webhooks to loopback/private addresses: for local receivers in tests and development only.
        webhook_allow_private=env_bool("OKIENKO_WEBHOOK_ALLOW_PRIVATE", profile in {"test", "dev"}),
        open311_intake=_open311_intake(),
        # Adaptive intake queues a realtime request once this many are being opened in the process.
        open311_adaptive_limit=env_int("OKIENKO_OPEN311_ADAPTIVE_LIMIT", 1),
        # ... or once this process has taken more than this many of them in the current or last second
        # (0: no rate check; the tests' default, so that a fast test module does not flip modes).
        open311_adaptive_rate=env_int("OKIENKO_OPEN311_ADAPTIVE_RATE", 0 if profile == "test" else 5),
        # ... and keeps queueing them for this many seconds after the process was last found busy.
        open311_adaptive_hold=env_float("OKIENKO_OPEN311_ADAPTIVE_HOLD", 0.0 if profile == "test" else 10.0),
        # The intake worker slows down while receipts arrive faster than this per second (0: never)
        # and then opens at least this many cases per second (ADR 0040 amendment).
        open311_drain_yield_rate=env_int("OKIENKO_OPEN311_DRAIN_YIELD_RATE", 50),
        open311_drain_min_rate=env_float("OKIENKO_OPEN311_DRAIN_MIN_RATE", 5.0),
        # Reverse proxies whose X-Forwarded-For is believed (core.middleware.client_ip); none by default.
        trusted_proxies=env_networks("OKIENKO_TRUSTED_PROXIES"),
        # Base map tiles ({z}/{x}/{y} URL template) and their attribution; none: the shipped
        # boundaries are the only layer (offline). ADR 0051.
        map_tiles=env_str("OKIENKO_MAP_TILES", ""),
        map_attribution=env_str("OKIENKO_MAP_ATTRIBUTION", ""),
        geocoder=_geocoder(),
        geocoder_url=env_str("OKIENKO_GEOCODER_URL", ""),
        geocoder_timeout=env_float("OKIENKO_GEOCODER_TIMEOUT", 3.0),
        geocoder_user_agent=env_str("OKIENKO_GEOCODER_USER_AGENT", "Okienko (https://github.com/okienko)"),
        # The phone prompts' speech (telephony.audio): espeak-ng's voice and speed (words per minute).
        tts_voice=env_str("OKIENKO_TTS_VOICE", "pl"),
        tts_rate=env_int("OKIENKO_TTS_RATE", 160),
    )


def _geocoder() -> str:
    """Which geocoder finds addresses: the shipped TERYT localities or an HTTP service (ADR 0051)."""
    value = env_str("OKIENKO_GEOCODER", "offline")
    if value not in {"offline", "nominatim", "photon"}:
        raise ConfigError(f"OKIENKO_GEOCODER must be offline, nominatim or photon, got {value!r}")
    return value


def _open311_intake() -> str:
    """When a GeoReport ``POST requests`` becomes a case: immediate, queued or adaptive (ADR 0040)."""
    value = env_str("OKIENKO_OPEN311_INTAKE", "adaptive")
    if value not in {"immediate", "queued", "adaptive"}:
        raise ConfigError(f"OKIENKO_OPEN311_INTAKE must be immediate, queued or adaptive, got {value!r}")
    return value


def database_settings(url: str, pool_size: int = 0, *, jit: bool = False) -> dict[str, object]:
    """Translate a DATABASE_URL (sqlite:///path or postgres://user@host:port/name).

    On PostgreSQL a process-wide connection pool (psycopg_pool) is used when ``pool_size`` > 0:
    under ASGI, persistent per-thread connections (CONN_MAX_AGE) would leak one connection per
    worker thread, so connections are borrowed per request and returned to the pool instead.
    The connections turn PostgreSQL's JIT compiler off unless ``jit`` (ADR 0070): compiling a
    report's query took seconds longer than running it.
    """
    if url.startswith("sqlite:///"):
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": url.removeprefix("sqlite:///"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ConfigError(f"DATABASE_URL must be sqlite:///… or postgres://…, got {url!r}")
    options: dict[str, object] = {} if jit else {"options": "-c jit=off"}
    if pool_size > 0:
        options["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 10}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parsed.path.lstrip("/"),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": pool_size == 0,
        "OPTIONS": options,
        "TEST": {"NAME": f"test_{parsed.path.lstrip('/')}"},
    }
