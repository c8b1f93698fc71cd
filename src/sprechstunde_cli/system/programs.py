"""The operator's own programs: $EDITOR for a reply, hour.media_command for a photo.

Never through a shell: a path is one argument whatever it contains.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from sprechstunde_cli.errors import InputError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.system.files import write_private


def editor() -> str | None:
    return os.environ.get("VISUAL") or os.environ.get("EDITOR")


def edit(draft: Path, header: str) -> str:
    """Let the operator write in $EDITOR; lines starting with # are dropped. The draft file is
    removed afterwards whatever happens."""
    command = editor()
    if not command:
        raise InputError(
            _("No reply text and no editor."),
            _("Pass the text as an argument, use --template, or set $EDITOR."),
        )
    write_private(draft, f"\n{header}\n".encode())
    try:
        subprocess.run([*shlex.split(command), str(draft)], check=True)
        text = draft.read_text(encoding="utf-8")
    except (OSError, subprocess.CalledProcessError) as exc:
        raise InputError(
            _("The editor failed ({exc}).").format(exc=exc), _("Check $EDITOR.")
        ) from None
    finally:
        draft.unlink(missing_ok=True)
    return "\n".join(ln for ln in text.splitlines() if not ln.startswith("#")).strip()


def view(command: str, path: Path) -> None:
    """Run `command` with {file} replaced by `path` (hour.media_command)."""
    name = str(path)
    parts = shlex.split(command)
    argv = [name if part == "{file}" else part.replace("{file}", name) for part in parts]
    subprocess.run(argv, check=False)
