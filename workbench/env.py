"""Strict parsing of Copydesk's environment variables.

A bad value stops start-up with a message naming the variable; nothing falls
back silently to a default when the operator wrote something we don't
understand.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit


class ConfigError(Exception):
    """An environment variable has a value Copydesk cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str, environ: Mapping[str, str] = os.environ) -> str:
    value = environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool, environ: Mapping[str, str] = os.environ) -> bool:
    value = environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r}: expected one of true/false, yes/no, on/off, 1/0")


def env_int(
    name: str,
    default: int,
    environ: Mapping[str, str] = os.environ,
    *,
    minimum: int | None = None,
) -> int:
    value = environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r}: expected a whole number") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={value!r}: must be at least {minimum}")
    return number


def env_float(name: str, default: float, environ: Mapping[str, str] = os.environ) -> float:
    value = environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r}: expected a number") from None


def env_choice(
    name: str, default: str, choices: tuple[str, ...], environ: Mapping[str, str] = os.environ
) -> str:
    value = env_str(name, default, environ)
    if value not in choices:
        raise ConfigError(f"{name}={value!r}: expected one of {', '.join(choices)}")
    return value


def env_list(name: str, default: list[str], environ: Mapping[str, str] = os.environ) -> list[str]:
    value = environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, object]:
    """Turn `sqlite:///path` or `postgres://user:pw@host:port/name` into DATABASES['default']."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raw_path = unquote(parts.path)
        if not raw_path or raw_path == "/":
            raise ConfigError(f"DATABASE_URL={url!r}: a SQLite URL needs a file path")
        # sqlite:///relative.db is relative to the repository, sqlite:////abs.db absolute.
        path = Path(raw_path[1:]) if raw_path.startswith("/") else Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                # IMMEDIATE makes writers queue on the lock instead of failing
                # with "database is locked" when web and worker write at once.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": str(path.with_name("test-" + path.name))},
        }
    if parts.scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError(f"DATABASE_URL={url!r}: a PostgreSQL URL needs a database name")
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"DATABASE_URL={url!r}: the port is not a number") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ConfigError(
        f"DATABASE_URL={url!r}: expected sqlite:///PATH or postgres://USER@HOST:PORT/NAME"
    )


def parse_price_table(raw: str) -> dict[str, tuple[float, float]]:
    """COPYDESK_PRICE_TABLE='{"my-model": [0.2, 0.8]}' (USD per million input, output tokens).

    These override and extend the prices each provider registers (workbench/generation/providers.py).
    """
    table: dict[str, tuple[float, float]] = {}
    if not raw.strip():
        return table
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"COPYDESK_PRICE_TABLE: not valid JSON ({exc.msg})") from None
    if not isinstance(parsed, dict):
        raise ConfigError('COPYDESK_PRICE_TABLE: expected an object like {"model": [input, output]}')
    for model, prices in parsed.items():
        if not (isinstance(prices, list) and len(prices) == 2 and all(isinstance(p, (int, float)) and p >= 0 for p in prices)):
            raise ConfigError(f"COPYDESK_PRICE_TABLE[{model!r}]: expected [input_usd_per_million, output_usd_per_million]")
        table[model] = (float(prices[0]), float(prices[1]))
    return table
