"""Settings from the environment (the variables README.md lists).

Business rules live in system_config (read through mathvidya/settings_store.py); this
module only holds secrets and endpoints, and refuses to start production with development
defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from flask import current_app, has_app_context

DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789abcdef"
TEST_RAZORPAY_KEY_ID = "rzp_test_mathvidya"
TEST_RAZORPAY_KEY_SECRET = "rzp_test_secret_mathvidya"
ENVIRONMENTS = ("development", "test", "production")
LOG_FORMATS = ("json", "text")


class ConfigurationError(RuntimeError):
    """Raised at start-up when the environment cannot run the service safely."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/mathvidya"
    redis_url: str = "redis://127.0.0.1:6379/0"
    secret_key: str = DEV_SECRET_KEY
    s3_bucket: str = "mathvidya"
    s3_endpoint_url: str | None = None
    aws_region: str = "ap-south-1"
    smtp_url: str | None = None
    mail_from: str | None = None
    app_base_url: str = "http://localhost:3000"
    razorpay_key_id: str = TEST_RAZORPAY_KEY_ID
    razorpay_key_secret: str = TEST_RAZORPAY_KEY_SECRET
    cors_origins: list[str] = field(default_factory=list)
    log_level: str = "INFO"
    log_format: str = "json"  # or "text": one coloured line per event, for a person at a terminal
    pool_min_size: int = 1
    pool_max_size: int = 10
    pool_timeout: float = 5.0
    auth_rate_limit: str = "30 per minute"
    # Reverse proxies (load balancers) in front of the app whose X-Forwarded-For/-Proto are
    # trusted: per-IP limits and audit IPs then see the client, not the proxy.
    trusted_proxy_count: int = 0
    password_hash_concurrency: int = 1
    db_prepared_statements: bool = True
    # The long-running processes (docs/operations.md, "Timing knobs"): the clock's longest
    # pass, the cap of the outage retry backoff, and how long the worker trusts its last
    # good PostgreSQL check. Tests shorten them; production keeps these defaults.
    clock_pass_seconds: float = 10.0
    outage_retry_cap_seconds: float = 5.0
    worker_postgresql_check_seconds: float = 5.0
    # How long a process serves the plans on sale from memory before reading them again.
    plans_cache_seconds: float = 60.0

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def current_settings() -> Settings:
    """The running process's settings: the Flask app's in a request or CLI command, else
    the environment's (an RQ job)."""
    if has_app_context():
        return current_app.config["SETTINGS"]
    return load_settings()


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the environment variables (README.md); fail loudly on unsafe production values."""
    env = os.environ if environ is None else environ
    name = env.get("MATHVIDYA_ENV", "development")
    if name not in ENVIRONMENTS:
        raise ConfigurationError(f"MATHVIDYA_ENV must be one of {ENVIRONMENTS}, not {name!r}")
    settings = Settings(
        env=name,
        database_url=env.get("DATABASE_URL", Settings.database_url),
        redis_url=env.get("REDIS_URL", Settings.redis_url),
        secret_key=env.get("SECRET_KEY", DEV_SECRET_KEY),
        s3_bucket=env.get("S3_BUCKET", Settings.s3_bucket),
        s3_endpoint_url=env.get("S3_ENDPOINT_URL") or None,
        aws_region=env.get("AWS_REGION", Settings.aws_region),
        smtp_url=env.get("SMTP_URL") or None,
        mail_from=env.get("MAIL_FROM") or None,
        app_base_url=env.get("APP_BASE_URL", Settings.app_base_url),
        razorpay_key_id=env.get("RAZORPAY_KEY_ID", TEST_RAZORPAY_KEY_ID),
        razorpay_key_secret=env.get("RAZORPAY_KEY_SECRET", TEST_RAZORPAY_KEY_SECRET),
        cors_origins=[o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip()],
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        log_format=_log_format(env, name),
        pool_min_size=int(env.get("DB_POOL_MIN_SIZE", "1")),
        pool_max_size=int(env.get("DB_POOL_MAX_SIZE", "10")),
        pool_timeout=float(env.get("DB_POOL_TIMEOUT", "5")),
        auth_rate_limit=env.get("AUTH_RATE_LIMIT", Settings.auth_rate_limit),
        trusted_proxy_count=_proxy_count(env.get("TRUSTED_PROXY_COUNT", "0")),
        password_hash_concurrency=int(env.get("PASSWORD_HASH_CONCURRENCY", "1")),
        db_prepared_statements=env.get("DB_PREPARED_STATEMENTS", "on").lower() not in ("off", "0", "false", "no"),
        clock_pass_seconds=_seconds(env, "CLOCK_PASS_SECONDS", Settings.clock_pass_seconds),
        outage_retry_cap_seconds=_seconds(env, "OUTAGE_RETRY_CAP_SECONDS", Settings.outage_retry_cap_seconds),
        worker_postgresql_check_seconds=_seconds(
            env, "WORKER_POSTGRESQL_CHECK_SECONDS", Settings.worker_postgresql_check_seconds
        ),
        plans_cache_seconds=_seconds(env, "PLANS_CACHE_SECONDS", Settings.plans_cache_seconds),
    )
    if settings.is_production:
        _refuse_unsafe_production(env, settings)
    return settings


def _log_format(env: dict[str, str] | os._Environ, environment: str) -> str:
    """LOG_FORMAT, else text in development (a person reads it) and JSON elsewhere."""
    chosen = env.get("LOG_FORMAT", "").strip().lower() or ("text" if environment == "development" else "json")
    if chosen not in LOG_FORMATS:
        raise ConfigurationError(f"LOG_FORMAT must be one of {LOG_FORMATS}, not {chosen!r}")
    return chosen


def _seconds(env: dict[str, str] | os._Environ, name: str, default: float) -> float:
    """A positive number of seconds from ``name``, else ``default``."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise ConfigurationError(f"{name} must be a positive number of seconds, not {raw!r}")
    return value


def _proxy_count(raw: str) -> int:
    if not raw.strip().isdigit():
        raise ConfigurationError(f"TRUSTED_PROXY_COUNT must be a whole number (0 or more), not {raw!r}")
    return int(raw)


def _refuse_unsafe_production(env: dict[str, str] | os._Environ, settings: Settings) -> None:
    if not env.get("SECRET_KEY") or settings.secret_key == DEV_SECRET_KEY or len(settings.secret_key) < 32:
        raise ConfigurationError("SECRET_KEY must be set (32+ characters) in production")
    if not env.get("RAZORPAY_KEY_ID") or not env.get("RAZORPAY_KEY_SECRET"):
        raise ConfigurationError("RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET must be set in production")
    if settings.razorpay_key_secret == TEST_RAZORPAY_KEY_SECRET:
        raise ConfigurationError("the test Razorpay secret cannot be used in production")
    if "DATABASE_URL" not in env or "REDIS_URL" not in env:
        raise ConfigurationError("DATABASE_URL and REDIS_URL must be set in production")
