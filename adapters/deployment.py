"""What only the app packages need: the public address and the publisher's details.

Kept apart from `bot.settings.Settings` because the running bot never reads them; only
`teams-package` and `slack-manifest` do, when a school's IT lead installs the app.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DeploymentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    public_base_url: str = Field(
        default="https://safeguarding-bot.example.org",
        alias="PUBLIC_BASE_URL",
        description="Where Teams and Slack reach this server (https)",
    )
    developer_name: str = Field(default="Safeguarding Assistant", alias="APP_DEVELOPER_NAME")
    website_url: str = Field(default="https://safeguarding-bot.example.org", alias="APP_WEBSITE_URL")
    privacy_url: str = Field(default="https://safeguarding-bot.example.org/privacy", alias="APP_PRIVACY_URL")
    terms_url: str = Field(default="https://safeguarding-bot.example.org/terms", alias="APP_TERMS_URL")

    @property
    def base(self) -> str:
        return self.public_base_url.rstrip("/")
