"""The cron and systemd examples in contrib/ run `announce --due` every five minutes."""

from __future__ import annotations

import configparser
import shlex

from tests.support import REPO

ROOT = REPO
CONTRIB = ROOT / "contrib"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((CONTRIB / "systemd" / name).read_text(encoding="utf-8"))
    return parser


def test_the_crontab_line_runs_announce_due_every_five_minutes() -> None:
    lines = [
        line
        for line in (CONTRIB / "crontab").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]
    ]

    (job,) = lines
    fields = job.split(maxsplit=5)
    assert fields[:5] == ["*/5", "*", "*", "*", "*"]
    assert "%" not in fields[5]  # cron would turn it into a newline
    words = shlex.split(fields[5].replace(";", " ; "))
    assert words[words.index("announce") - 1].endswith("/sprechstunde")
    assert words[words.index("announce") + 1] == "--due"


def test_the_systemd_service_and_timer_fit_together() -> None:
    service = _unit("sprechstunde-announce.service")
    timer = _unit("sprechstunde-announce.timer")

    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].endswith("/sprechstunde announce --due")
    assert service["Service"]["EnvironmentFile"].startswith("-")  # optional
    assert timer["Timer"]["OnCalendar"] == "*:0/5"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
