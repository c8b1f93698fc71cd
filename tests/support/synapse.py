"""A real Synapse homeserver on loopback for the Matrix tests and the bench.

Facts behind the config: Synapse's configuration manual (docs/matrix.md). Synapse runs from its own
virtual environment (`scripts/synapse-venv` makes `.venv-synapse/`), in a new process session,
on 127.0.0.1 at a free port, with no federation listener and relaxed rate limits.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support import REPO

ROOT = REPO
SERVER_NAME = "localhost"
PYTHON_ENV = "SPRECHSTUNDE_SYNAPSE_PYTHON"
START_TIMEOUT = 60.0
# High enough that no test meets a limit by accident; the rate-limit test lowers one user's.
RELAXED = {"per_second": 10_000, "burst_count": 100_000}
_RELAXED_LIMITS = {
    "rc_message": RELAXED,
    "rc_registration": RELAXED,
    "rc_login": {"address": RELAXED, "account": RELAXED, "failed_attempts": RELAXED},
    "rc_admin_redaction": RELAXED,
    "rc_joins": {"local": RELAXED, "remote": RELAXED},
    "rc_joins_per_room": RELAXED,
    "rc_invites": {"per_room": RELAXED, "per_user": RELAXED, "per_issuer": RELAXED},
    "rc_room_creation": RELAXED,
    "rc_media_create": RELAXED,
    "rc_3pid_validation": RELAXED,
    "rc_presence": {"per_user": RELAXED},
    "rc_delayed_event_mgmt": RELAXED,
    "rc_reports": RELAXED,
    "rc_user_directory": RELAXED,
    "rc_profile": RELAXED,
}
_names = itertools.count(1)


def synapse_python() -> Path | None:
    """The interpreter with matrix-synapse installed, or None if it is not there."""
    configured = os.environ.get(PYTHON_ENV)
    path = Path(configured) if configured else ROOT / ".venv-synapse" / "bin" / "python"
    return path if path.exists() else None


MISSING_REASON = (
    "Synapse is not installed here: run bash scripts/synapse-venv "
    f"(or set {PYTHON_ENV} to a Python with matrix-synapse)"
)


def _die_with_parent() -> None:
    """On Linux, Synapse gets SIGTERM when the process that started it dies, even by SIGKILL.

    A new session keeps Ctrl-C from reaching it; this keeps a killed test run from leaving it.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def unique(prefix: str) -> str:
    """A fresh, valid Matrix localpart: every test gets its own users."""
    return f"{prefix}{next(_names)}x{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Account:
    user_id: str
    access_token: str
    device_id: str
    password: str


class Synapse:
    """One homeserver process; `start()` waits until it answers, `stop()` ends it for sure."""

    def __init__(self, root: Path, python: Path) -> None:
        self.root = root
        self.python = python
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.secret = secrets.token_hex(16)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def database(self) -> Path:
        return self.root / "homeserver.db"

    @property
    def log_file(self) -> Path:
        return self.root / "homeserver.log"

    def write_config(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        # An Ed25519 signing key is any 32 random bytes; writing it saves a 0.35 s subprocess.
        seed = base64.b64encode(os.urandom(32)).decode().rstrip("=")
        (self.root / "signing.key").write_text(f"ed25519 a_test {seed}\n", encoding="utf-8")
        log_config = {
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "plain",
                    "filename": str(self.log_file),
                    "encoding": "utf-8",
                }
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        (self.root / "log.yaml").write_text(json.dumps(log_config), encoding="utf-8")
        config: dict[str, Any] = {
            "server_name": SERVER_NAME,
            "public_baseurl": f"{self.url}/",
            "pid_file": str(self.root / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(self.database)}},
            "log_config": str(self.root / "log.yaml"),
            "media_store_path": str(self.root / "media_store"),
            "signing_key_path": str(self.root / "signing.key"),
            "registration_shared_secret": self.secret,
            "macaroon_secret_key": secrets.token_hex(16),
            "form_secret": secrets.token_hex(16),
            "enable_registration": False,
            "bcrypt_rounds": 4,
            "report_stats": False,
            "enable_metrics": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "url_preview_enabled": False,
            "presence": {"enabled": False},
            **_RELAXED_LIMITS,
        }
        path = self.root / "homeserver.yaml"
        path.write_text(json.dumps(config, indent=1), encoding="utf-8")  # JSON is YAML
        return path

    def start(self) -> Synapse:
        config = self.write_config()
        log = (self.root / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            [str(self.python), "-m", "synapse.app.homeserver", "-c", str(config)],
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(timeout=2.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"Synapse exited with {self.process.returncode}.\n{self.logs()}"
                    )
                with contextlib.suppress(httpx.TransportError):
                    if client.get(f"{self.url}/_matrix/client/versions").status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Synapse did not answer in {START_TIMEOUT} s.\n{self.logs()}"
                    )
                time.sleep(0.05)

    def logs(self) -> str:
        parts = []
        for name in ("stdout.log", "homeserver.log"):
            path = self.root / name
            if path.exists():
                parts.append(
                    f"--- {name}\n{path.read_text(encoding='utf-8', errors='replace')[-8000:]}"
                )
        return "\n".join(parts)

    def stop(self) -> None:
        """SIGTERM to Synapse's own PID, then kill: a clean shutdown also folds in the WAL."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def checkpoint(self) -> None:
        """Fold Synapse's SQLite WAL into the main file and truncate it, as the purge test needs."""
        deadline = time.monotonic() + 10
        conn = sqlite3.connect(self.database, timeout=5)
        try:
            while True:
                busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError("Synapse's WAL stayed busy; stop the server instead")
                time.sleep(0.05)
        finally:
            conn.close()

    # --- accounts -------------------------------------------------------------------------

    def register(self, localpart: str, *, admin: bool = False, name: str = "") -> Account:
        """Create a user with the shared-secret admin API (HMAC-SHA1, as Synapse documents)."""
        password = secrets.token_hex(8)
        with httpx.Client(base_url=self.url, timeout=10) as client:
            nonce = client.get("/_synapse/admin/v1/register").json()["nonce"]
            message = "\0".join([nonce, localpart, password, "admin" if admin else "notadmin"])
            mac = hmac.new(self.secret.encode(), message.encode(), hashlib.sha1).hexdigest()
            response = client.post(
                "/_synapse/admin/v1/register",
                json={
                    "nonce": nonce,
                    "username": localpart,
                    "displayname": name or localpart,
                    "password": password,
                    "admin": admin,
                    "mac": mac,
                },
            )
        response.raise_for_status()
        body = response.json()
        return Account(body["user_id"], body["access_token"], body["device_id"], password)

    def client(self, account: Account) -> MatrixClient:
        return MatrixClient(self.url, account)


def q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


class MatrixClient:
    """A bare client-server API client for a test's citizens and admin checks."""

    def __init__(self, url: str, account: Account) -> None:
        self.account = account
        self.user_id = account.user_id
        self.http = httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {account.access_token}"},
            timeout=30,
        )
        self._txn = itertools.count(1)

    def close(self) -> None:
        self.http.close()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path} → {response.status_code} {response.text}")
        return response.json() if response.content else {}

    def create_dm(self, invite: str, name: str = "") -> str:
        """Open a direct chat the way Element does: trusted private chat, marked direct."""
        body: dict[str, Any] = {
            "preset": "trusted_private_chat",
            "is_direct": True,
            "invite": [invite],
        }
        if name:
            body["name"] = name
        room_id: str = self.call("POST", "/_matrix/client/v3/createRoom", json=body)["room_id"]
        return room_id

    def send(
        self, room_id: str, content: dict[str, Any], event_type: str = "m.room.message"
    ) -> str:
        txn = f"t{next(self._txn)}.{secrets.token_hex(4)}"
        path = f"/_matrix/client/v3/rooms/{q(room_id)}/send/{q(event_type)}/{txn}"
        event_id: str = self.call("PUT", path, json=content)["event_id"]
        return event_id

    def upload(self, data: bytes, mime: str, filename: str) -> str:
        response = self.call(
            "POST",
            "/_matrix/media/v3/upload",
            params={"filename": filename},
            content=data,
            headers={"Content-Type": mime},
        )
        uri: str = response["content_uri"]
        return uri

    def download(self, mxc: str) -> bytes | None:
        server, media_id = mxc.removeprefix("mxc://").split("/", 1)
        response = self.http.get(f"/_matrix/client/v1/media/download/{q(server)}/{q(media_id)}")
        return response.content if response.status_code == 200 else None

    def timeline(self, room_id: str) -> list[dict[str, Any]]:
        """Every event of the room this user may see, oldest first."""
        events: list[dict[str, Any]] = []
        params: dict[str, Any] = {"dir": "b", "limit": 100}
        while True:
            page = self.call(
                "GET", f"/_matrix/client/v3/rooms/{q(room_id)}/messages", params=params
            )
            events.extend(page.get("chunk", []))
            if not page.get("chunk") or "end" not in page:
                return events[::-1]
            params["from"] = page["end"]

    def create_broadcast_room(self) -> tuple[str, str]:
        """A public room where only staff (power 50) may post; returns (room id, alias)."""
        name = unique("ankuendigungen")
        body = {
            "preset": "public_chat",
            "room_alias_name": name,
            "power_level_content_override": {"events_default": 50},
        }
        room_id: str = self.call("POST", "/_matrix/client/v3/createRoom", json=body)["room_id"]
        return room_id, f"#{name}:{SERVER_NAME}"

    def join(self, room_id: str) -> None:
        self.call("POST", f"/_matrix/client/v3/join/{q(room_id)}", json={})

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"/_synapse/admin{path}", **kwargs)


@contextlib.contextmanager
def running(root: Path, python: Path) -> Iterator[Synapse]:
    server = Synapse(root, python).start()
    try:
        yield server
    finally:
        server.stop()
