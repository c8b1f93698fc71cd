"""The operator's screens in a real terminal (tmux), in German and in English.

A rehearsal on the local messenger with two sandbox citizens: the live view of `open`, then
`threads`, `show`, `close`, `purge`, `receipt` and `stats`, each run in a tmux pane with the
locale a German or an English desk has, read back with `capture-pane`. The headers must be in
the desk's language, with none of the other language's words and no traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.tools import needs

pytestmark = needs("tmux")

SIZE = ("120", "60")  # tall enough for the whole receipt
# What must show on each screen, and what must not (the other language's words).
EXPECTED = {
    "de": {
        "live": ["Bürger*in", "wartet", "ungelesen", "übernommen", "zuletzt", "2 Chats, 2 wartend",
                 "geöffnet · endet", "Strg-C lässt die Sprechstunde geöffnet"],
        "threads": ["Bürger*in", "wartet", "ungelesen", "Wann wird die Ampel repariert?"],
        "show": ["Chat #1 · anna", "Büro (Begrüßung)"],
        "close": ["Sprechstunde '{id}' geschlossen: Schlussworte an 2"],
        "purge": ["Lokale Daten gelöscht und geprüft", "Sitzungsschlüssel vernichtet"],
        "receipt": ["Löschprotokoll — {id}", "geplant:", "Löschung begonnen:",
                    "personenbezogene Daten in diesem Protokoll:"],
        "stats": ["Sprechstunde {id} (gelöscht)", "Chats:", "live beantwortet:",
                  "Wartezeit (Median):"],
    },
    "en": {
        "live": ["citizen", "waiting", "unread", "claimed", "last", "2 threads, 2 waiting",
                 "open · ends", "Ctrl-C leaves the session open"],
        "threads": ["citizen", "waiting", "unread", "Wann wird die Ampel repariert?"],
        "show": ["Thread #1 · anna", "office (greeting)"],
        "close": ["Closed session '{id}': closing words sent to 2"],
        "purge": ["Local data deleted and verified", "session key destroyed"],
        "receipt": ["Deletion receipt (Löschprotokoll) — {id}", "planned:", "purge started:",
                    "personal data in this receipt:"],
        "stats": ["Session {id} (purged)", "threads:", "answered live:", "median wait:"],
    },
}  # fmt: skip
FOREIGN = {
    "de": ["citizen", "waiting", "Session", "thread", "Error", "Hint", "Usage"],
    "en": ["Bürger*in", "Sprechstunde '", "Chat #", "Fehler", "Hinweis", "Aufruf"],
}
LOCALES = {"de": "de_DE.UTF-8", "en": "C.UTF-8"}


@dataclass(frozen=True)
class Terminal:
    socket: Path
    env: dict[str, str]

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-S", str(self.socket), *args],
            env=self.env,  # the server's own environment is the desk's, not this test's
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout

    def start(self, name: str, *args: str) -> None:
        """Run the CLI in a new pane of the desk's size; the pane stays after it exits."""
        command = " ".join(
            subprocess.list2cmdline([a]) for a in (sys.executable, "-m", "sprechstunde_cli", *args)
        )
        variables = [f"-e{k}={v}" for k, v in self.env.items()]
        self.tmux("new-session", "-d", "-s", name, "-x", SIZE[0], "-y", SIZE[1], *variables,
                  f"{command}; echo '<exit>'; sleep 600")  # fmt: skip

    def screen(self, name: str) -> str:
        return self.tmux("capture-pane", "-p", "-t", name)

    def wait_for(self, name: str, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen(name)
            if text in shown or time.monotonic() > deadline:
                return shown
            time.sleep(0.2)

    def run(self, name: str, *args: str) -> str:
        self.start(name, *args)
        return self.wait_for(name, "<exit>")


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "sprechstunde_cli", *args], env=env, check=True,
                   capture_output=True, timeout=60)  # fmt: skip


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_screens_speak_the_desks_language(isolated: Path, lang: str) -> None:
    assert shutil.which("tmux"), "tmux is missing: .ci/run installs it"
    # No COLUMNS/LINES/TERM from the test isolation: the pane's size and terminal decide.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"COLUMNS", "LINES", "TERM", "SPRECHSTUNDE_LANG", "LANGUAGE", "LC_ALL",
                     "LC_MESSAGES", "TMUX"}
    }  # fmt: skip
    env["LANG"] = LOCALES[lang]
    terminal = Terminal(isolated / "tmux.sock", env)
    _cli(env, "init")
    _cli(env, "sandbox", "send", "--from", "anna", "Wann wird die Ampel repariert?")
    _cli(env, "sandbox", "send", "--from", "ben", "Frage zur Kita")
    screens = {}
    try:
        terminal.start("live", "open", "--now", "beispiel")
        screens["live"] = terminal.wait_for("live", EXPECTED[lang]["live"][-1])
        terminal.tmux("send-keys", "-t", "live", "C-c")
        # Before its planned hour `--now` rehearses on a copy: the rest names the copy's id.
        found = re.search(r"beispiel-probe-[\d-]+", terminal.wait_for("live", "<exit>"))
        assert found is not None, terminal.screen("live")
        session = found.group(0)
        for name, args in [
            ("threads", ["threads"]),
            ("show", ["show", "1"]),
            ("close", ["close"]),
            # Both citizens see the closing words, so the purge need not wait out their grace.
            ("inbox-anna", ["sandbox", "inbox", "--as", "anna"]),
            ("inbox-ben", ["sandbox", "inbox", "--as", "ben"]),
            ("purge", ["purge", session]),
            ("receipt", ["receipt", session]),
            ("stats", ["stats", session]),
        ]:
            screens[name] = terminal.run(name, *args)
    finally:
        subprocess.run(["tmux", "-S", str(terminal.socket), "kill-server"], capture_output=True)
    for name, expected in EXPECTED[lang].items():
        shown = screens[name]
        wanted = [w.replace("{id}", session) for w in expected]
        assert [w for w in wanted if w not in shown] == [], f"{name}:\n{shown}"
        assert [w for w in FOREIGN[lang] if w in shown] == [], f"{name}:\n{shown}"
        assert "Traceback" not in shown, f"{name}:\n{shown}"
