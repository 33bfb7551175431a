"""Telemetry settings, read from the environment (and `.env`), apart from the database's.

Owned by the Loopsafe template: `copier update` may change this file. Tracing has none of its
own here: it is configured by OpenTelemetry's standard OTEL_* variables (tracing.py).
"""

from functools import lru_cache
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from ..settings import SettingsError, get_settings


class TelemetrySettings(BaseSettings):
    """LOG_FORMAT, LOG_LEVEL, LOG_REQUESTS, METRICS_ENABLED."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

    # json: one JSON object a line; console: for people. Default: json in production.
    log_format: Literal["json", "console"] | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_requests: bool = True  # one line per request (uvicorn's access log is then off)
    metrics_enabled: bool = True  # request and pool metrics, served at /metrics

    def json_logs(self) -> bool:
        if self.log_format is None:
            return get_settings().environment == "production"
        return self.log_format == "json"


@lru_cache
def get_telemetry_settings() -> TelemetrySettings:
    from pydantic import ValidationError

    try:
        return TelemetrySettings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)
        )
        raise SettingsError(f"Invalid settings: {problems}") from None
