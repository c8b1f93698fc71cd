"""`[providers.waha]` settings and what each WAHA engine can do."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import Capabilities, DeleteReach, ReceiveMode

ENGINES = ("WEBJS", "WPP", "NOWEB", "GOWS")

# WAHA's engine matrix (docs how-to/chats/features.md, how-to/chats/index.md, sendSeen):
# deleting a chat only on WEBJS and WPP, clearing a chat only on WEBJS, chatId=all only on
# NOWEB and GOWS, message ids in sendSeen only on NOWEB and GOWS. Deleting a single message,
# media sending (free since 2026.6.1), status text and call rejection: every engine.
ENGINE_FEATURES: dict[str, frozenset[str]] = {
    "WEBJS": frozenset({"delete_chat", "clear_messages"}),
    "WPP": frozenset({"delete_chat"}),
    "NOWEB": frozenset({"all_chats", "seen_ids"}),
    "GOWS": frozenset({"all_chats", "seen_ids"}),
}

_SESSION_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_KEYS = {
    "base_url",
    "session",
    "engine",
    "send_delay_seconds",
    "poll_interval_seconds",
    "overlap_seconds",
    "websocket",
    "timeout_seconds",
}


@dataclass(frozen=True)
class WahaSettings:
    """The `[providers.waha]` section: the WAHA server, its session and engine, the pace."""

    base_url: str = "http://127.0.0.1:3000"
    session: str = "default"
    engine: str = "WEBJS"
    send_delay_seconds: float = 2.0  # typing shown this long before each send (ban safety)
    poll_interval_seconds: float = 1.0
    overlap_seconds: int = 60  # how late a message may reach WAHA and still be found
    websocket: bool = True  # calls are only visible on the event stream
    timeout_seconds: float = 30.0

    @property
    def features(self) -> frozenset[str]:
        return ENGINE_FEATURES[self.engine]


def parse_settings(raw: Mapping[str, object]) -> WahaSettings:
    """Validate `[providers.waha]`; every error names the key and the fix."""
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(
            _("Unknown setting '{unknown}'.").format(unknown=unknown[0]),
            _("Known settings: {keys}.").format(keys=", ".join(sorted(_KEYS))),
            key=f"providers.waha.{unknown[0]}",
        )
    defaults = WahaSettings()
    base_url = _text(raw, "base_url", defaults.base_url).rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ConfigError(
            _("Not an http(s) URL."),
            _('Write the WAHA address, e.g. base_url = "http://127.0.0.1:3000".'),
            key="providers.waha.base_url",
        )
    if parts.username or parts.password:
        raise ConfigError(
            _("The URL must not carry a user or password."),
            _("Remove them; the API key is kept by: sprechstunde login waha"),
            key="providers.waha.base_url",
        )
    session = _text(raw, "session", defaults.session)
    if not _SESSION_NAME.fullmatch(session):
        raise ConfigError(
            _("A WAHA session name is 1 to 64 letters, digits, '_', '.' or '-'."),
            _('Use the name shown in the WAHA dashboard, e.g. session = "default".'),
            key="providers.waha.session",
        )
    engine = _text(raw, "engine", defaults.engine).upper()
    if engine not in ENGINES:
        raise ConfigError(
            _("Unknown engine '{engine}'.").format(engine=engine[:20]),
            _("Use the engine WAHA runs (WHATSAPP_DEFAULT_ENGINE): {engines}.").format(
                engines=", ".join(ENGINES)
            ),
            key="providers.waha.engine",
        )
    websocket = raw.get("websocket", defaults.websocket)
    if not isinstance(websocket, bool):
        raise ConfigError(
            _("Must be true or false."),
            _("Write websocket = true (calls are seen only on WAHA's event stream)."),
            key="providers.waha.websocket",
        )
    return WahaSettings(
        base_url=base_url,
        session=session,
        engine=engine,
        send_delay_seconds=_number(raw, "send_delay_seconds", defaults.send_delay_seconds, 0, 60),
        poll_interval_seconds=_number(
            raw, "poll_interval_seconds", defaults.poll_interval_seconds, 0.05, 60
        ),
        overlap_seconds=int(_number(raw, "overlap_seconds", defaults.overlap_seconds, 0, 3600)),
        websocket=websocket,
        timeout_seconds=_number(raw, "timeout_seconds", defaults.timeout_seconds, 1, 300),
    )


def capabilities_for(settings: WahaSettings) -> Capabilities:
    """What this engine can do; calls need the event stream, since WAHA has no call list."""
    features = settings.features
    residual = [
        "The citizens' phones keep the messages they sent; WhatsApp cannot delete them there.",
        "Office replies older than WhatsApp's revoke window (about two days, unconfirmed) stay "
        "on the citizens' phones; newer ones show as 'This message was deleted'.",
        "WAHA keeps downloaded photos and voice notes until WHATSAPP_FILES_LIFETIME expires "
        "(180 s by default).",
        "WhatsApp's servers, the citizens' backups and linked devices are outside our reach.",
    ]
    if "delete_chat" not in features:
        residual.append(
            _(
                "The {engine} engine cannot delete chats: the emptied chats stay listed "
                "on the service phone until someone deletes them there."
            ).format(engine=settings.engine)
        )
    return Capabilities(
        receive=ReceiveMode.POLL,
        send_text=True,
        send_media=frozenset({MessageKind.IMAGE, MessageKind.VOICE, MessageKind.FILE}),
        download_media=True,
        mark_read=True,
        reject_calls=settings.websocket,
        delete_reach=DeleteReach.OPERATOR_SIDE,
        revoke_own=True,
        delete_chat="delete_chat" in features,
        announce=True,
        # sendText takes a pre-generated id, so a retried text is found and not sent again;
        # sendImage/sendVoice/sendFile take none, so a retried file may arrive twice.
        idempotent_send=False,
        residual_retention=tuple(residual),
        read_receipts=True,  # the ack of each own message in the listing (delivered, read)
        max_concurrent_requests=1,  # one thread drives the provider (provider.py says why)
    )


def _text(raw: Mapping[str, object], key: str, default: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            _("Must be a non-empty string."),
            _('Write it in quotes, e.g. {key} = "{default}".').format(key=key, default=default),
            key=f"providers.waha.{key}",
        )
    return value.strip()


def _number(raw: Mapping[str, object], key: str, default: float, low: float, high: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(
            _("Must be a number from {low:g} to {high:g}.").format(low=low, high=high),
            _("Write e.g. {key} = {default:g}.").format(key=key, default=default),
            key=f"providers.waha.{key}",
        )
    return float(value)
