"""`init` writes the example config; `check` validates the config and summarises it."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.app import app
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.system.files import create_private, ensure_dir, write_private

if TYPE_CHECKING:
    from sprechstunde_cli.cli.application import Application
    from sprechstunde_cli.config import Config
    from sprechstunde_cli.domain.model import SessionSpec

EXAMPLE_RESOURCE = "config.example.toml"

# Fixed English names: strftime("%a") would follow the operator's locale.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def example_config() -> bytes:
    """The commented example config shipped inside the package."""
    from importlib import resources  # not at import time: only `init` needs it

    return (resources.files("sprechstunde_cli") / EXAMPLE_RESOURCE).read_bytes()


@app.command()
def init(
    ctx: typer.Context,
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite an existing config file."),
    ] = False,
) -> None:
    """Write a commented example config to the config path (see --config)."""
    application: Application = ctx.obj
    path = application.paths.config_file
    write_config(path, example_config(), force=force)
    typer.echo(f"Wrote the example config to {path}")
    typer.echo("")
    typer.echo("Next steps:")
    typer.echo(f"  1. Edit it: office.name and the session [sessions.beispiel] ({path})")
    typer.echo("  2. Check it: sprechstunde check")
    typer.echo("  3. Rehearse with the built-in local messenger: sprechstunde demo")
    typer.echo("     (or open the hour right away: sprechstunde open --now)")


def write_config(path: Path, data: bytes, *, force: bool) -> None:
    """Write `data` to `path` readable by the owner only; refuse to replace a file unless forced."""
    try:
        # Only a directory we create is made private: chmod-ing an existing one (the working
        # directory with --config ./x.toml) would be a surprise.
        ensure_dir(path.parent)
        if force:
            write_private(path, data)
        else:
            create_private(path, data)
    except FileExistsError:
        raise ConfigError(
            f"A config file already exists at {path}.",
            "Edit that file, or add --force to overwrite it with the example "
            "(or pass --config FILE to write elsewhere).",
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"Cannot write {path}: {exc.strerror or exc}.",
            "Check the directory's permissions, or pass --config FILE to write elsewhere.",
        ) from None


@app.command()
def check(ctx: typer.Context) -> None:
    """Validate the config file and summarise it."""
    application: Application = ctx.obj
    config = application.config
    now = application.clock.now()
    for line in summary_lines(config, application.paths.config_file, now):
        typer.echo(line)


def summary_lines(config: Config, path: Path, now: datetime) -> list[str]:
    """The plain-text summary `check` prints; config strings are cleaned but not trusted."""
    from sprechstunde_cli.domain.texts import DEFAULT_TEXTS
    from sprechstunde_cli.render.sanitize import clean

    def show(text: str) -> str:
        return clean(text, single_line=True)

    lines = [f"Config OK: {path}"]
    office = show(config.office) if config.office else "(office.name not set)"
    lines.append(f"Office: {office} ({config.timezone})")
    if config.operator:
        lines.append(f"Operator: {show(config.operator)}")
    if not config.sessions:
        lines.append("Sessions: none. Add a [sessions.<id>] table to plan an hour.")
    else:
        lines.append(f"Sessions ({len(config.sessions)}):")
        for spec in config.sessions.values():
            lines.append(
                f"  {spec.id}  {_span(spec)}  provider {spec.provider}  {_status(spec, now)}"
            )
            lines.append(f"    {show(spec.title)} — {show(spec.official)}")
        if not config.upcoming(now):
            lines.append("Note: every session in this file has ended; add the next one.")
    templates = ", ".join(show(name) for name in sorted(config.templates)) or "none"
    lines.append(f"Templates: {templates}")
    changed = [
        f.name
        for f in fields(DEFAULT_TEXTS)
        if getattr(config.texts, f.name) != getattr(DEFAULT_TEXTS, f.name)
    ]
    if changed:
        lines.append(
            f"Texts: {len(changed)} changed from the German defaults ({', '.join(changed)})"
        )
    else:
        lines.append("Texts: the built-in German defaults")
    return lines


def _span(spec: SessionSpec) -> str:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(spec.timezone)
    start, end = spec.start.astimezone(zone), spec.end.astimezone(zone)
    day = f"{_WEEKDAYS[start.weekday()]} {start:%Y-%m-%d %H:%M}"
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{day}–{until} {spec.timezone} ({_utc_offset(start)})"


def _utc_offset(moment: datetime) -> str:
    """'UTC+01:00' (strftime's %:z needs Python 3.12)."""
    minutes = int((moment.utcoffset() or timedelta()).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def _status(spec: SessionSpec, now: datetime) -> str:
    if spec.end <= now:
        return "ended"
    if spec.start <= now:
        return "running now"
    return "upcoming"
