"""Configuration from environment variables and an optional `.env` file.

One object, read once at start-up and passed down, so tests build their own
instead of patching globals.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'assistant.sqlite3'}",
        alias="DATABASE_URL",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db",
    )
    default_school: str = Field(
        default="oakfield",
        alias="DEFAULT_SCHOOL",
        description="School slug used when a tenant or workspace is not mapped",
    )
    # Bot Framework (Teams). Anonymous only when app id is empty.
    microsoft_app_id: str = Field(default="", alias="MicrosoftAppId")
    microsoft_app_password: str = Field(default="", alias="MicrosoftAppPassword")
    microsoft_app_tenant_id: str = Field(default="", alias="MicrosoftAppTenantId")
    microsoft_app_type: str = Field(default="MultiTenant", alias="MicrosoftAppType")
    # Where the signing keys of Bot Framework tokens are published (Microsoft's; tests and benchmarks
    # point these at a loopback stand-in).
    bot_openid_metadata_url: str = Field(
        default="https://login.botframework.com/v1/.well-known/openidconfiguration", alias="BOT_OPENID_METADATA_URL"
    )
    emulator_openid_metadata_url: str = Field(
        default="https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
        alias="EMULATOR_OPENID_METADATA_URL",
    )
    # Slack
    slack_signing_secret: str = Field(default="", alias="SLACK_SIGNING_SECRET")
    slack_bot_token: str = Field(default="", alias="SLACK_BOT_TOKEN")
    # Server
    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=3978, alias="PORT")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        alias="WEB_WORKERS",
        description="server processes sharing the port; one per CPU core uses them all",
    )
    environment: str = Field(
        default="development",
        alias="ENVIRONMENT",
        description="'production' refuses to start without an encryption key",
    )
    # Data protection: comma-separated Fernet keys, newest first (MultiFernet rotation).
    encryption_keys: str = Field(default="", alias="ENCRYPTION_KEYS")
    # Reporting and alerts
    incomplete_report_reminder_minutes: int = Field(default=15, alias="INCOMPLETE_REPORT_REMINDER_MINUTES")
    incomplete_disclosure_dsl_minutes: int = Field(default=60, alias="INCOMPLETE_DISCLOSURE_DSL_MINUTES")
    escalation_minutes: int = Field(default=10, alias="ESCALATION_MINUTES")
    urgent_escalation_minutes: int = Field(default=2, alias="URGENT_ESCALATION_MINUTES")
    smtp_host: str = Field(default="", alias="SMTP_HOST")
    smtp_port: int = Field(default=25, alias="SMTP_PORT")
    smtp_from: str = Field(default="safeguarding-assistant@localhost", alias="SMTP_FROM")
    retention_years: int = Field(default=25, alias="RETENTION_YEARS")

    @property
    def is_production(self) -> bool:
        return self.environment.lower() == "production"
