"""Server settings, read once from the environment (variables prefixed `NNPLAY_`).

- NNPLAY_HOST: address to listen on (default 127.0.0.1)
- NNPLAY_PORT: port to listen on (default 8000)
- NNPLAY_DATA_DIR: directory for saved data (default ./data; nothing uses it yet)
"""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the server can be configured with, in one place."""

    model_config = SettingsConfigDict(env_prefix="NNPLAY_")

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("./data")


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (cached; call `get_settings.cache_clear()` to re-read)."""
    return Settings()
