"""The README's first set-up command, run as written in a fresh virtual environment, leaves a
`sprechstunde` command that works for everything that follows in the same terminal.

It installs a copy of this working tree from the package index (PyPI), as a new user's machine
would; pip's own cache is reused so a second run is quick. The demo is run with `--fast`, the
README's own variant of it (`demo [--fast]`), to keep the test short.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def setup_command() -> str:
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("    python3 -m venv"):
            return line.strip()
    raise AssertionError("the README's set-up command is gone")


def working_tree(target: Path) -> None:
    """The files a clone has (tracked, and new ones not ignored), without any virtualenv."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard", "-z"],
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = ROOT / name
        if source.is_file() and not name.startswith(".venv"):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def test_the_readme_set_up_leaves_a_working_command(tmp_path: Path) -> None:
    command = setup_command()
    assert command.endswith("sprechstunde demo")
    clone = tmp_path / "clone"
    working_tree(clone)
    python_dir = Path(sys.executable).parent  # `python3` as the README says, ≥ 3.11
    env = {
        **os.environ,
        "PATH": f"{python_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PIP_CACHE_DIR": str(Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache" / "pip"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    for var in ("PYTHONPATH", "VIRTUAL_ENV", "SPRECHSTUNDE_CONFIG", "SPRECHSTUNDE_DATA_DIR"):
        env.pop(var, None)
    script = "\n".join(
        [
            "set -eu",
            command + " --fast",  # the README's command, the demo in its short form
            # Still the same terminal: the command works for what the README does next.
            "command -v sprechstunde",
            "sprechstunde --help",
            "sprechstunde init",
            "sprechstunde check",
        ]
    )
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    assert str(clone / ".venv" / "bin" / "sprechstunde") in result.stdout
    assert "Run a citizens' consultation hour" in result.stdout
    assert "Config OK" in result.stdout
