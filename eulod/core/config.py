"""Configuration: defaults, then a TOML file, then ``EULOD_*`` environment variables.

Every setting has a sane default so ``eulod build && eulod serve`` works in a fresh
checkout; a deployment overrides what it needs. Settings are validated when they are
read, and an error names the setting and where its bad value came from.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Mapping

PERSONAL_DATA_MODES = ("publish", "role-only", "omit")
SERVERS = ("granian", "gunicorn")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names it and its source."""


@dataclass(frozen=True)
class Settings:
    """All of eulod's settings. Paths are relative to the working directory."""

    base_iri: str = "http://127.0.0.1:5000/"
    data_dir: Path = Path("data")
    records: tuple[Path, ...] = (Path("data/records"),)
    build_dir: Path = Path("build")
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 2
    threads: int = 8
    personal_data: str = "role-only"
    query_timeout: float = 30.0
    max_rows: int = 10000
    document_links: int = 10000  # links pointing at a resource in one page of its data document (rel="next" for more)
    query_processes: int = 4  # query processes per server process (the time limit kills one)
    result_cache_mb: int = 64  # answers cached per server process, per store generation; 0: off
    # Admission (endpoint/executor.py): how query processes are shared between clients.
    query_wait: float = 5.0  # longest wait for a free query process before 503 + Retry-After
    short_query_seconds: float = 1.0  # a query running longer is a long query
    long_queries: int = 2  # long queries at once per server process; the other processes stay for short ones
    client_queries: int = 32  # queries in progress (waiting or running) per client address per server process; 429 beyond
    long_query_penalty: float = 60.0  # seconds a client whose query ran long starts its queries as long ones
    max_query_depth: int = 128  # deepest nesting of brackets a query may have
    proxy_hops: int = 0  # reverse proxies in front that append X-Forwarded-For (client addresses for admission)
    server: str = "granian"  # HTTP server of `eulod serve`: granian (Rust, fastest) or gunicorn
    summary_collaborations: int = 1000  # most frequent organisation pairs the build summarises; 0: none
    max_record_file_mb: int = 64  # a YAML or JSON record file (of JSON Lines: each line) larger is refused
    max_text_kb: int = 1024  # one text value of a record, in UTF-8; a longer one is the record's problem
    build_batch_records: int = 2000  # records converted and validated together by `eulod build`: bounds its memory
    build_check_processes: int = 2  # processes validating batches while `eulod build` converts the next; 0: none
    build_load_threads: int = 1  # threads of the store's bulk loader (about 1 GB each at scale); 0: one per CPU
    build_dump_processes: int = 2  # processes rendering the dumps' sections of `eulod build`; 0: the build itself
    dataset_title: str = "EU-funded projects (eulod)"
    publisher_name: str = "eulod publisher"
    publisher_email: str = ""
    publisher_iri: str = ""  # empty: {base}catalogue#publisher
    licence: str = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    themes: tuple[str, ...] = ("GOVE", "ECON", "REGI")  # EU data-theme authority codes
    catalogue_issued: str = ""  # ISO date the catalogue was first published; empty: the build time
    # A remote SPARQL 1.1 store instead of the embedded one (see eulod.core.remote). The password
    # is read from EULOD_REMOTE_PASSWORD only, never from a file.
    remote_query_url: str = ""  # empty: serve the embedded store of build_dir
    remote_update_url: str = ""
    remote_gsp_url: str = ""
    remote_user: str = ""
    remote_max_rows: int = 10000  # the remote store's own answer cap (Virtuoso: ResultSetMaxRows)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def store_path(self) -> Path:
        """The store link: a symlink to the current store generation (see eulod.core.generation)."""
        return self.build_dir / "store"


# setting name -> (environment variable, parser)
def _paths(value: str) -> tuple[Path, ...]:
    return tuple(Path(p) for p in value.split(os.pathsep) if p)


def _codes(value: str | list[str]) -> tuple[str, ...]:
    """Authority-table codes, as a TOML list or a comma/space separated string: 'GOVE, ECON'."""
    items = value if isinstance(value, list) else value.replace(",", " ").split()
    return tuple(str(item).strip().upper() for item in items if str(item).strip())


_PARSERS: dict[str, Any] = {
    "base_iri": str,
    "data_dir": Path,
    "records": _paths,
    "build_dir": Path,
    "host": str,
    "port": int,
    "workers": int,
    "threads": int,
    "personal_data": str,
    "query_timeout": float,
    "max_rows": int,
    "document_links": int,
    "query_processes": int,
    "result_cache_mb": int,
    "query_wait": float,
    "short_query_seconds": float,
    "long_queries": int,
    "client_queries": int,
    "long_query_penalty": float,
    "max_query_depth": int,
    "proxy_hops": int,
    "summary_collaborations": int,
    "max_record_file_mb": int,
    "max_text_kb": int,
    "build_batch_records": int,
    "build_load_threads": int,
    "build_check_processes": int,
    "build_dump_processes": int,
    "server": str,
    "dataset_title": str,
    "publisher_name": str,
    "publisher_email": str,
    "publisher_iri": str,
    "licence": str,
    "themes": _codes,
    "catalogue_issued": str,
    "remote_query_url": str,
    "remote_update_url": str,
    "remote_gsp_url": str,
    "remote_user": str,
    "remote_max_rows": int,
}

ENV_PREFIX = "EULOD_"
DEFAULT_CONFIG_FILE = "eulod.toml"


def _coerce(name: str, value: Any, source: str) -> Any:
    parser = _PARSERS[name]
    try:
        if parser is _paths and isinstance(value, list):
            return tuple(Path(p) for p in value)
        return parser(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name!r} from {source}: cannot read {value!r} ({exc})") from exc


def _check(settings: Settings) -> Settings:
    if not settings.base_iri.startswith(("http://", "https://")) or not settings.base_iri.endswith("/"):
        raise ConfigError(
            f"setting 'base_iri' ({ENV_PREFIX}BASE_IRI): {settings.base_iri!r} must be an http(s) IRI ending in '/'"
        )
    if settings.personal_data not in PERSONAL_DATA_MODES:
        raise ConfigError(
            f"setting 'personal_data' ({ENV_PREFIX}PERSONAL_DATA): {settings.personal_data!r} is not one of "
            + ", ".join(PERSONAL_DATA_MODES)
        )
    if not 0 < settings.port < 65536:
        raise ConfigError(f"setting 'port' ({ENV_PREFIX}PORT): {settings.port} is not a TCP port")
    for name in ("workers", "threads", "max_rows", "document_links", "query_processes", "long_queries", "client_queries",
                 "max_query_depth", "max_record_file_mb", "max_text_kb", "build_batch_records"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"setting {name!r} ({ENV_PREFIX}{name.upper()}): must be at least 1")
    if settings.server not in SERVERS:
        raise ConfigError(f"setting 'server' ({ENV_PREFIX}SERVER): {settings.server!r} is not one of " + ", ".join(SERVERS))
    if settings.build_check_processes < 0:
        raise ConfigError(f"setting 'build_check_processes' ({ENV_PREFIX}BUILD_CHECK_PROCESSES): must be 0 (none) or more")
    if settings.build_dump_processes < 0:
        raise ConfigError(f"setting 'build_dump_processes' ({ENV_PREFIX}BUILD_DUMP_PROCESSES): must be 0 (none) or more")
    if settings.build_load_threads < 0:
        raise ConfigError(f"setting 'build_load_threads' ({ENV_PREFIX}BUILD_LOAD_THREADS): must be 0 (one per CPU) or more")
    if settings.summary_collaborations < 0:
        raise ConfigError(
            f"setting 'summary_collaborations' ({ENV_PREFIX}SUMMARY_COLLABORATIONS): must be 0 (none) or more"
        )
    if settings.result_cache_mb < 0:
        raise ConfigError(f"setting 'result_cache_mb' ({ENV_PREFIX}RESULT_CACHE_MB): must be 0 (off) or more")
    for name in ("query_timeout", "query_wait", "short_query_seconds"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"setting {name!r} ({ENV_PREFIX}{name.upper()}): must be positive")
    for name in ("long_query_penalty", "proxy_hops"):
        if getattr(settings, name) < 0:
            raise ConfigError(f"setting {name!r} ({ENV_PREFIX}{name.upper()}): must be 0 or more")
    for name in ("licence", "publisher_iri"):
        value = getattr(settings, name)
        if value and not value.startswith(("http://", "https://")):
            raise ConfigError(f"setting {name!r} ({ENV_PREFIX}{name.upper()}): {value!r} must be an http(s) IRI")
    for code in settings.themes:
        if not code.isalpha():
            raise ConfigError(f"setting 'themes' ({ENV_PREFIX}THEMES): {code!r} is not a data-theme code such as GOVE")
    if settings.catalogue_issued:
        try:
            date.fromisoformat(settings.catalogue_issued)
        except ValueError as exc:
            raise ConfigError(
                f"setting 'catalogue_issued' ({ENV_PREFIX}CATALOGUE_ISSUED): {settings.catalogue_issued!r} is not a date"
            ) from exc
    for name in ("remote_query_url", "remote_update_url", "remote_gsp_url"):
        value = getattr(settings, name)
        if value and not value.startswith(("http://", "https://")):
            raise ConfigError(f"setting {name!r} ({ENV_PREFIX}{name.upper()}): {value!r} must be an http(s) URL")
    if "remote_password" in settings.extra:
        raise ConfigError(
            f"setting 'remote_password' is read from the environment only ({ENV_PREFIX}REMOTE_PASSWORD), never from a file"
        )
    return settings


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Read settings: defaults < config file < environment < explicit overrides.

    The config file is ``config_file``, else ``$EULOD_CONFIG``, else ``./eulod.toml``
    when it exists. Overrides whose value is None are ignored, so CLI options that
    were not given do not mask the environment.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}

    path = config_file or env.get(ENV_PREFIX + "CONFIG")
    if path is None and Path(DEFAULT_CONFIG_FILE).is_file():
        path = DEFAULT_CONFIG_FILE
    if path is not None:
        try:
            with open(path, "rb") as handle:
                document = tomllib.load(handle)
        except OSError as exc:
            raise ConfigError(f"config file {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}: {exc}") from exc
        except RecursionError:  # tomllib recurses into nested arrays and inline tables
            raise ConfigError(f"config file {path}: arrays or tables nested too deep to read") from None
        section = document.get("eulod", document)
        for key, value in section.items():
            if key in _PARSERS:
                values[key] = _coerce(key, value, f"config file {path}")
            else:
                extra[key] = value

    for name in _PARSERS:
        env_name = ENV_PREFIX + name.upper()
        if env_name in env and env[env_name] != "":
            values[name] = _coerce(name, env[env_name], f"environment variable {env_name}")

    for name, value in overrides.items():
        if value is not None:
            if name not in _PARSERS:
                raise ConfigError(f"unknown setting {name!r}")
            values[name] = _coerce(name, value, "command line") if isinstance(value, str) else value

    known = {f.name for f in fields(Settings)}
    settings = replace(Settings(), **{k: v for k, v in values.items() if k in known}, extra=extra)
    return _check(settings)


def settings_environ(settings: Settings) -> dict[str, str]:
    """The settings as EULOD_* environment variables, which read back to the same settings.

    Server worker processes build their app from the environment (see
    eulod.endpoint.server), so options given on the command line must reach them this way.
    """
    out = {}
    for name in _PARSERS:
        value = getattr(settings, name)
        if isinstance(value, tuple):
            text = (os.pathsep if name == "records" else ",").join(str(item) for item in value)
        else:
            text = str(value)
        out[ENV_PREFIX + name.upper()] = text
    return out
