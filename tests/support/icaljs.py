"""ical.js (the parser behind Thunderbird and many web calendars), run through node.

`read(ics)` installs ical.js 2 with npm once into a cache folder outside the test's temp dir
(`SPRECHSTUNDE_ICALJS_DIR`, else the system temp folder) and returns each VEVENT's start and
end in UTC and its SEQUENCE as ical.js reads them. node and npm come from `.ci/run`; a test
marked `needs("node")` and `needs("npm")` fails under CI when they are missing.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

_SCRIPT = """
import ICAL from 'ical.js';
import fs from 'node:fs';
const root = new ICAL.Component(ICAL.parse(fs.readFileSync(0, 'utf8')));
for (const vtz of root.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
}
const out = {};
for (const vevent of root.getAllSubcomponents('vevent')) {
  const event = new ICAL.Event(vevent);
  out[event.uid] = {
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    sequence: event.sequence,
  };
}
process.stdout.write(JSON.stringify(out));
"""


def _home() -> Path:
    given = os.environ.get("SPRECHSTUNDE_ICALJS_DIR")
    return Path(given) if given else Path(tempfile.gettempdir()) / "sprechstunde-icaljs"


def install() -> Path:
    home = _home()
    home.mkdir(parents=True, exist_ok=True)
    # Test runs in parallel share the folder: one installs, the others wait for it.
    with (home / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / "node_modules" / "ical.js" / "package.json").is_file():
            npm = shutil.which("npm")
            assert npm is not None, "npm is missing (.ci/run installs nodejs and npm)"
            argv = [npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(home)]
            subprocess.run([*argv, "ical.js@2"], check=True, timeout=300, capture_output=True)
        script = home / "read.mjs"
        if not script.is_file() or script.read_text() != _SCRIPT:
            script.write_text(_SCRIPT)
    return script


def read(ics: bytes) -> dict[str, dict[str, object]]:
    script = install()
    node = shutil.which("node")
    assert node is not None, "node is missing (.ci/run installs nodejs and npm)"
    done = subprocess.run(
        [node, str(script)], input=ics, capture_output=True, check=True, timeout=60
    )
    found: dict[str, dict[str, object]] = json.loads(done.stdout)
    return found
