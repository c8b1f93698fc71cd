"""The standby examples in contrib/: a long-running systemd service and a cron line."""

from __future__ import annotations

import configparser
import shlex

from sprechstunde_cli.cli import app
from tests.support import REPO

CONTRIB = REPO / "contrib"


def test_the_systemd_service_runs_standby_and_restarts() -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string((CONTRIB / "systemd" / "sprechstunde-standby.service").read_text("utf-8"))

    words = shlex.split(unit["Service"]["ExecStart"])
    assert words[0].endswith("/sprechstunde") and words[1] == "standby"
    assert "--once" not in words  # it runs on; --once is for cron
    assert unit["Service"]["Type"] == "simple"
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Service"]["EnvironmentFile"].startswith("-")
    assert unit["Install"]["WantedBy"] == "default.target"
    assert _options_exist(words[1:])


def test_the_cron_line_runs_standby_once_every_few_minutes() -> None:
    text = (CONTRIB / "crontab-standby").read_text(encoding="utf-8")
    (job,) = [
        line
        for line in text.splitlines()
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]
    ]
    fields = job.split(maxsplit=5)
    assert fields[0] == "*/3" and fields[1:5] == ["*", "*", "*", "*"]
    assert "%" not in fields[5]  # cron would turn it into a newline
    words = shlex.split(fields[5].replace(";", " ; "))
    start = words.index("standby")
    assert words[start - 1].endswith("/sprechstunde")
    command = [w for w in words[start:] if not w.startswith(">>")]  # without the log file
    assert "--once" in command
    assert _options_exist(command)


def _options_exist(words: list[str]) -> bool:
    """Every --option in the example is one `standby` has."""
    import typer.main

    root = typer.main.get_command(app)
    # The root builds its commands lazily, when asked for one by name (cli/__init__.py).
    command = root.get_command(typer.Context(root), "standby")  # type: ignore[attr-defined]
    known = {opt for param in command.params for opt in param.opts}
    return all(w in known for w in words if w.startswith("--"))
