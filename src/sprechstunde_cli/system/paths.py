"""Where things live: platform dirs, with env overrides, created private (0700)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP = "sprechstunde"


@dataclass(frozen=True)
class Paths:
    """Where sprechstunde keeps its config, data and log on this machine."""

    config_file: Path
    data_dir: Path
    log_dir: Path

    @property
    def store_file(self) -> Path:
        return self.data_dir / "sprechstunde.db"

    @property
    def sessions_dir(self) -> Path:
        return self.data_dir / "sessions"

    def session_dir(self, session_id: str) -> Path:
        return self.sessions_dir / session_id

    @property
    def config_check(self) -> Path:
        """The record that the config file, as it is, passed the full check (config/checked.py)."""
        return self.data_dir / "config-checked"

    @property
    def local_messenger_file(self) -> Path:
        return self.data_dir / "local-messenger.db"

    @property
    def key_dir(self) -> Path:
        return key_dir_for(self.data_dir)

    @property
    def log_file(self) -> Path:
        return self.log_dir / "sprechstunde.log"


def key_dir_for(data_dir: Path) -> Path:
    """Session keys live beside the data dir, never in it: a copy of the data dir alone
    (a backup, a stolen disk image of that folder) then holds nothing readable."""
    env = os.environ.get("SPRECHSTUNDE_KEY_DIR")
    return Path(env).expanduser() if env else data_dir.with_name(f"{data_dir.name}-keys")


def resolve_paths(config: Path | None = None, data_dir: Path | None = None) -> Paths:
    """Explicit arguments win, then SPRECHSTUNDE_CONFIG/_DATA_DIR, then platformdirs."""
    env_config = os.environ.get("SPRECHSTUNDE_CONFIG")
    env_data = os.environ.get("SPRECHSTUNDE_DATA_DIR")
    config_file = config or (Path(env_config) if env_config else None)
    data = data_dir or (Path(env_data) if env_data else None)
    # The log sits beside the data when the data dir was chosen explicitly, so a throw-away
    # rehearsal (or a test) leaves nothing in the user's real log dir.
    log_dir = data / "log" if data is not None else None
    if config_file is None or data is None or log_dir is None:
        # Only now: platformdirs costs startup time that explicit paths don't need.
        import platformdirs

        config_file = config_file or Path(platformdirs.user_config_dir(APP)) / "config.toml"
        data = data or Path(platformdirs.user_data_dir(APP))
        log_dir = log_dir or Path(platformdirs.user_log_dir(APP))
    return Paths(config_file=config_file.expanduser(), data_dir=data.expanduser(), log_dir=log_dir)
