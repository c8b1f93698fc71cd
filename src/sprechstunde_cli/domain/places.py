"""Kinds of message a terminal cannot show as they are: a location, a sticker, a poll.

Each becomes a labelled line, never nothing. Labels are the office's words (German, like the
other texts the store keeps for a message); what came from the citizen stays hostile.
"""

from __future__ import annotations

from dataclasses import dataclass

from sprechstunde_cli.errors import InputError
from sprechstunde_cli.i18n import _

OSM_ZOOM = 17


@dataclass(frozen=True)
class Location:
    """A place a citizen shared, shown as a line with its coordinates and a map link."""

    latitude: float
    longitude: float

    def text(self, name: str = "") -> str:
        """`[Standort] 52.520000, 13.405000 https://www.openstreetmap.org/?mlat=…` (+ name)."""
        lat, lon = f"{self.latitude:.6f}", f"{self.longitude:.6f}"
        link = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={OSM_ZOOM}/{lat}/{lon}"
        line = f"[Standort] {lat}, {lon} {link}"
        return f"{line}\n{name}" if name.strip() else line


def location(latitude: object, longitude: object) -> Location | None:
    """A location from a messenger's numbers; None if they are no coordinates on Earth."""
    if isinstance(latitude, bool) or isinstance(longitude, bool):
        return None
    try:
        lat, lon = float(latitude), float(longitude)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    return Location(lat, lon)


def parse_location(given: str) -> Location:
    """`LAT,LON` as an operator types it (`sandbox send --location 52.52,13.405`)."""
    lat, _comma, lon = given.partition(",")
    found = location(lat.strip(), lon.strip()) if lon else None
    if found is None:
        raise InputError(
            _("{given!r} is no location.").format(given=given),
            _("Give latitude and longitude in degrees, e.g. --location 52.5200,13.4050"),
        )
    return found


def labelled(kind: str, detail: str = "") -> str:
    """A kind the office cannot show (sticker, poll, contact, …) as a line that says so."""
    word = {
        "sticker": "Sticker",
        "poll": "Umfrage",
        "contact": "Kontakt",
        "reaction": "Reaktion",
        "event": "Termin",
        "location": "Standort",
    }.get(kind, "Nachricht")
    head = f"[{word} – hier nicht darstellbar]"
    return f"{head} {detail}".strip()
