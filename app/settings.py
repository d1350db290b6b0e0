"""Server settings, read once from the environment (variables prefixed `NNPLAY_`).

Every limit the server enforces is here, so a teacher can tune it for a class; the
README lists them.
"""

from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from urllib.parse import urlsplit

from platformdirs import user_data_path
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the server can be configured with, in one place."""

    model_config = SettingsConfigDict(env_prefix="NNPLAY_")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Field(
        default_factory=lambda: user_data_path("nnplay", appauthor=False),
        description="folder of the database of saved models, uploads and classes (default: "
                    "the user's data folder, e.g. ~/.local/share/nnplay on Linux, so the "
                    "server and `nnplay train --save` find the same one from any folder)")
    database: Path | None = Field(
        default=None, description="SQLite file for saved models (default: DATA_DIR/nnplay.db)")
    max_runs: int = Field(default=200, ge=1, description="runs held in memory at once")
    runs_per_minute: int = Field(
        default=120, ge=1, description="runs one client (a student, the teacher, or an "
                                       "address for anyone else) may create per minute")
    max_runs_per_client: int = Field(
        default=50, ge=1, description="runs one client may hold at once (then 409 until it "
                                      "deletes one or one idles out)")
    run_idle_seconds: float = Field(
        default=1800.0, gt=0, description="a run untouched this long is dropped")
    max_steps_per_request: int = Field(default=20000, ge=1)
    max_steps_per_frame: int = Field(default=2000, ge=1)
    max_frame_rate: float = Field(default=30.0, gt=0)
    live_output_grid: int = Field(
        default=100, ge=2, le=200,
        description="side of the output map in live frames (a smaller one is cheaper)")
    live_output_grid_busy: int = Field(
        default=50, ge=0, le=200,
        description="side of the output map while the run's engine process has frames "
                    "queued (a full class) and for a few seconds after: cheaper frames keep "
                    "every student's frame rate; 0 never lowers it")
    live_unit_grid: int = Field(
        default=16, ge=2, le=100,
        description="side of each unit's map in live frames; 16 keeps a 6 x 8 net's frame "
                    "under 32 KB, and a viewer asks for a full-resolution map when needed")
    ws_compression: bool = Field(
        default=False,
        description="per-message deflate on the live websocket: frames about 30% smaller "
                    "for about 0.7 ms of CPU each, which a busy class server cannot spare")
    engine: str = Field(
        default="local",
        description="where runs live and compute: 'local' (engine processes of this "
                    "server) or a Ray cluster: 'ray://HOST:PORT' (its Ray Client port, "
                    "from any machine), 'HOST:PORT' (its head's GCS port, from a machine "
                    "that is a node of it) or 'auto' (the cluster this machine is a node "
                    "of); a cluster needs `pip install 'nnplay[cluster]'`")
    engine_processes: int | None = Field(
        default=None, ge=0, le=1024,
        description="engine worker processes that hold the runs and compute their frames "
                    "(default: one per core; 0 keeps the runs in the server process); "
                    "with a Ray cluster, the most engine workers (default: one per CPU of "
                    "the cluster)")
    frame_batch: int = Field(
        default=8, ge=1, le=64,
        description="live frames an engine worker carries out together at most: runs of "
                    "one network shape among them train and draw as one computation (more: "
                    "less CPU per frame, but a command waits for up to one batch; 1: every "
                    "frame alone)")
    compute_slice_ms: float = Field(
        default=20.0, ge=1.0, le=1000.0,
        description="longest stretch of training one request (a live frame, a step "
                    "command, a slice of a REST train or job) does before other runs get "
                    "their turn; a client that used more than its share of an engine "
                    "process lately waits while the others go first")
    max_models: int = Field(default=1000, ge=1)
    max_models_per_client: int = Field(
        default=100, ge=1, description="saved models one client may keep (then 409 until it "
                                       "deletes one)")
    max_upload_rows: int = Field(
        default=2000, ge=4, le=5000,
        description="data rows (points) an uploaded CSV may hold; the engine's limit is 5000")
    max_uploads: int = Field(
        default=500, ge=1, description="uploaded data sets kept in the database")
    max_uploads_per_client: int = Field(
        default=50, ge=1, description="uploaded data sets one client may keep (then 409 "
                                      "until it deletes one)")
    max_request_bytes: int = Field(default=2_000_000, ge=1024)
    max_json_depth: int = Field(
        default=32, ge=8, le=100,
        description="how deeply a JSON request body or live-socket command may nest lists "
                    "and objects (the server's own largest, a saved convolution net, is 7 "
                    "deep); deeper gets a 422")
    allowed_origins: list[str] = Field(
        default=[], description="other sites (e.g. 'https://school.example') whose pages may "
                                "call the API (CORS) and open live sockets; none by default")
    allowed_hosts: list[str] = Field(
        default=[], description="host names (the Host header) the server answers to besides "
                                "localhost, any IP address, the machine's own name and "
                                "NNPLAY_HOST's name, e.g. 'nnplay.school.example' or "
                                "'*.school.example'; '*' for any. "
                                "Others get a 400, so a page of another site cannot reach "
                                "the server through DNS rebinding")
    max_hidden_layers: int = Field(default=10, ge=1)
    max_units: int = Field(default=64, ge=1)
    pass_memory_mb: int = Field(
        default=128, ge=16, le=100_000,
        description="memory, in MB, one pass through a run's network may take: a "
                    "training step over a mini-batch, an evaluation, a frame's maps, a "
                    "probe. A batch size (at creation, import or a change later), a "
                    "data set or a probe's image that would need more is refused; "
                    "evaluations and maps go in chunks that fit")
    max_map_values: int = Field(
        default=1_000_000, ge=100_000, le=100_000_000,
        description="values the maps of one snapshot, live frame or unit map may hold: "
                    "outputs x output grid^2 plus hidden units x unit grid^2. Larger grids "
                    "are refused with the largest that fits; a live view's default grids "
                    "are lowered to fit")
    teacher_token: SecretStr | None = Field(
        default=None, min_length=8,
        description="the password that unlocks /teacher (classes, join codes, the class "
                    "table); without it the classroom is off")
    max_classes: int = Field(default=50, ge=1, description="classes held at once")
    max_students: int = Field(default=100, ge=1, description="students one class may hold")
    joins_per_minute: int = Field(
        default=60, ge=1, description="attempts to join a class one address may make per "
                                      "minute (wrong codes count too)")
    class_joins_per_minute: int = Field(
        default=60, ge=1, description="students that may join one class per minute")
    teacher_failures_per_minute: int = Field(
        default=10, ge=1, description="wrong teacher tokens one address may send per minute "
                                      "(login form or 'Authorization: Bearer'); then every "
                                      "token it sends is refused with 429 until the minute "
                                      "has passed")
    trusted_proxies: list[str] = Field(
        default=[], description="reverse proxies whose X-Forwarded-For header is believed "
                                "(addresses or networks, or '*' for any); none by default, "
                                "so every client is known by the address it connects from")

    @field_validator("data_dir", "database")
    @classmethod
    def _home_expanded(cls, path: Path | None) -> Path | None:
        """``~/x`` means the home folder's x also when a service manager or an env
        file passed the variable without a shell to expand it."""
        return None if path is None else path.expanduser()

    @field_validator("engine")
    @classmethod
    def _engine(cls, engine: str) -> str:
        """``local``, ``auto``, ``ray://HOST:PORT`` or ``HOST:PORT``."""
        engine = engine.strip()
        if engine in ("local", "auto"):
            return engine
        if cluster_address(engine) is None:
            raise ValueError(f"{engine!r} is not an engine: write 'local', 'auto', "
                             "'ray://HOST:PORT' (a Ray cluster's client port) or 'HOST:PORT' "
                             "(its GCS port)")
        return engine

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        """Each an origin as a browser sends it: scheme and host (and port), nothing
        more, e.g. https://school.example; or "*" for any site."""
        for origin in origins:
            if origin == "*":
                continue
            parts = urlsplit(origin)
            if (parts.scheme not in ("http", "https") or not parts.netloc
                    or parts.path or parts.query or parts.fragment):
                raise ValueError(f"{origin!r} is not an origin: write the scheme and host "
                                 "only, e.g. 'https://school.example' (no path, no slash "
                                 "at the end)")
        return origins

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, hosts: list[str]) -> list[str]:
        """Each a host name as a browser sends it, without scheme or port, lower-cased:
        ``name``, ``*.domain`` (the domain's names, not the domain itself) or "*"."""
        for host in hosts:
            name = host.removeprefix("*.")
            if host != "*" and not all(part and all(ch.isalnum() or ch in "-_" for ch in part)
                                       for part in name.split(".")):
                raise ValueError(f"{host!r} is not a host name: write the name only, e.g. "
                                 "'laptop.school.example' or '*.school.example' (no "
                                 "scheme, no port; IP addresses need no listing)")
        return [host.lower() for host in hosts]

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, proxies: list[str]) -> list[str]:
        """Each an IP address (``10.0.0.5``), a network (``10.0.0.0/8``) or "*"."""
        for proxy in proxies:
            if proxy == "*":
                continue
            try:
                ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"{proxy!r} is not an IP address or network: write e.g. "
                                 "'10.0.0.5', '10.0.0.0/8' or '*'") from None
        return proxies

    @property
    def database_path(self) -> Path:
        return self.database if self.database is not None else self.data_dir / "nnplay.db"


def cluster_address(address: str) -> tuple[str, int] | None:
    """(host, port) of a Ray cluster's address, ``ray://HOST:PORT`` or ``HOST:PORT``
    (an IPv6 host in brackets); None for anything else."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or "/" in host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host.strip("[]"), int(port)


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (cached; call `get_settings.cache_clear()` to re-read)."""
    return Settings()
