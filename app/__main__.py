"""`python -m app`: serve the app on the configured host and port."""

import uvicorn

from app.settings import get_settings


def main() -> None:
    """Start uvicorn with the host, port and websocket compression from the settings."""
    settings = get_settings()
    uvicorn.run("app.main:app", host=settings.host, port=settings.port,
                ws_per_message_deflate=settings.ws_compression)


if __name__ == "__main__":
    main()
