"""Services against the real local messenger: intake, greeting, away, calls, last call, outbox."""

from __future__ import annotations

import stat
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import Direction, MessageKind, SessionState
from sprechstunde_cli.errors import (
    ConflictError,
    InputError,
    StateError,
)
from sprechstunde_cli.providers.base.media import OutboundMedia
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import hour
from sprechstunde_cli.services.demo.samples import make_ogg_opus, make_png
from tests.support.clocks import IN_THE_HOUR
from tests.support.service_rig import Rig, make_config


def greeting_count(texts: Sequence[str]) -> int:
    return sum(1 for t in texts if t.startswith("Guten Tag und willkommen"))


# --- opening ----------------------------------------------------------------------------------


def test_open_refuses_outside_the_hour_and_names_the_fix(rig: Rig) -> None:
    rig.clock.current = IN_THE_HOUR - timedelta(hours=2)
    with pytest.raises(StateError) as err:
        rig.open()
    assert "has not started" in err.value.message
    assert "--now" in err.value.hint


def test_a_rehearsal_runs_on_a_copy_and_the_planned_session_stays_planned(rig: Rig) -> None:
    rig.clock.current = IN_THE_HOUR - timedelta(days=3)  # Sunday 16:05 in Berlin
    opened = rig.open(rehearse=True)

    assert opened.session.id == "mittwoch-probe-20261129-1605"
    assert opened.rehearsal_of == "mittwoch"
    assert opened.session.end - rig.clock.now() == timedelta(hours=1)
    assert rig.store.session("mittwoch") is None  # untouched: nothing recorded for it
    # `open` again (with or without --now) resumes the rehearsal, not a second copy.
    assert rig.open(rehearse=True).session.id == opened.session.id
    assert rig.open().resumed
    closing.close(rig.store, rig.provider, rig.config, opened.session.id, rig.clock, actor="t")
    # On the day, the planned session opens as if nothing had happened.
    rig.clock.current = IN_THE_HOUR
    real = rig.open()
    assert (real.session.id, real.resumed, real.rehearsal_of) == ("mittwoch", False, None)


def test_open_twice_resumes_and_a_closed_session_cannot_reopen(rig: Rig) -> None:
    assert not rig.open().resumed
    assert rig.open().resumed
    closing.close(rig.store, rig.provider, rig.config, "mittwoch", rig.clock, actor="t")
    with pytest.raises(StateError) as err:
        rig.open()
    assert "purge" in err.value.hint


# --- intake -----------------------------------------------------------------------------------


def test_each_citizen_is_greeted_exactly_once_even_after_redelivery(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send("c1", "Erste Frage")
    rig.messenger.citizen_send("c1", "Zweite Frage")
    rig.messenger.citizen_send("c2", "Hallo")
    report = rig.step()
    assert report.intake.stored == 3
    assert report.intake.new_threads == [1, 2]
    # A crash before the cursor advanced: the provider hands out the same events again.
    batch = rig.provider.receive(None, 0)
    again = hour.take(
        rig.store, rig.provider, rig.config, rig.session, batch, rig.clock.now(), rig.media_dir
    )
    assert again.stored == 0 and again.duplicates == 3
    rig.step()
    assert greeting_count(rig.phone("c1")) == 1
    assert greeting_count(rig.phone("c2")) == 1
    greeting = rig.phone("c1")[0]
    assert "17:00 Uhr" in greeting  # the end time, in Berlin time
    assert "Anrufe" in greeting and "respektvollen" in greeting and "löschen" in greeting
    rows = rig.store.thread_rows("mittwoch")
    assert sorted(r.number for r in rows) == [1, 2]
    first = next(r for r in rows if r.number == 1)
    # The greeting went out, but the last line still shows what the citizen asked.
    assert (first.unread, first.last_line) == (2, "Zweite Frage")
    rig.reply(1, "Antwort")
    first = next(r for r in rig.store.thread_rows("mittwoch") if r.number == 1)
    assert (first.unread, first.last_line) == (0, "Antwort")


def test_messages_outside_the_hour_get_one_away_reply_and_nothing_is_kept(rig: Rig) -> None:
    rig.open()
    rig.clock.current = rig.session.end + timedelta(minutes=1)
    first = rig.messenger.citizen_send("late", "Ist noch offen?")
    rig.messenger.citizen_send("late", "Hallo??")
    report = rig.step()
    assert report.intake.late == 2 and report.intake.stored == 0
    texts = rig.phone("late")
    assert len(texts) == 1
    assert "nicht geöffnet" in texts[0]
    assert "Mittwoch, 16.12.2026, 16:00–17:00 Uhr" in texts[0]  # names the next session
    assert rig.store.thread_rows("mittwoch") == []
    assert rig.store.messages("mittwoch") == []
    # Deleted at the messenger as well (the local messenger deletes on both sides).
    assert first not in {e.id for e in rig.messenger.phone("late")}
    assert rig.store.counters("mittwoch")["late_messages"] == 2


def test_a_call_is_rejected_with_the_refusal_text_once(rig: Rig) -> None:
    rig.open()
    call_id = rig.messenger.citizen_call("c3")
    rig.step()
    batch = rig.provider.receive(None, 0)  # re-delivery of the same call
    hour.take(
        rig.store, rig.provider, rig.config, rig.session, batch, rig.clock.now(), rig.media_dir
    )
    rig.step()
    entries = rig.messenger.phone("c3")
    assert next(e for e in entries if e.id == call_id).call_state == "rejected"
    refusals = [t for t in rig.phone("c3") if "Anrufe und Videoanrufe" in t]
    assert len(refusals) == 1
    assert rig.store.counters("mittwoch")["calls_refused"] == 1


def test_last_call_goes_once_to_waiting_threads_at_the_configured_minute(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send("waits", "Frage ohne Antwort")
    rig.messenger.citizen_send("done", "Frage mit Antwort")
    rig.step()
    rig.reply(2, "Antwort")
    rig.clock.current = rig.session.end - timedelta(minutes=11)
    assert rig.step().last_call_sent == 0
    rig.clock.current = rig.session.end - timedelta(minutes=9)
    assert rig.step().last_call_sent == 1
    assert rig.step().last_call_sent == 0
    assert sum("endet um 17:00 Uhr" in t for t in rig.phone("waits")) == 1
    assert not any("endet um" in t for t in rig.phone("done"))


def test_photo_is_stored_privately_under_our_own_name(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send(
        "c4",
        "Foto",
        kind=MessageKind.IMAGE,
        media=make_png(64, 48, (1, 2, 3)),
        mime="image/png",
        filename="../../etc/passwd",
    )
    rig.messenger.citizen_send(
        "c4",
        "",
        kind=MessageKind.VOICE,
        media=make_ogg_opus(2.0),
        mime="audio/ogg",
        filename="voice.ogg",
    )
    rig.step()
    photo, voice = [
        m for m in rig.store.messages("mittwoch", thread=1) if m.direction is Direction.IN
    ]
    assert photo.media is not None and photo.media.path is not None
    assert (photo.kind, photo.media.width, photo.media.height) == (MessageKind.IMAGE, 64, 48)
    path = Path(photo.media.path)
    assert path.parent == rig.media_dir and path.suffix == ".png"
    assert "passwd" not in path.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(rig.media_dir.stat().st_mode) == 0o700
    assert voice.kind is MessageKind.VOICE and voice.media is not None
    assert voice.media.duration == pytest.approx(2.0, abs=0.05)


def test_oversized_media_is_refused_but_the_message_kept(rig: Rig) -> None:
    rig.config = make_config(max_media_mb=0.001)
    rig.open()
    rig.messenger.citizen_send(
        "c5",
        "Großes Foto",
        kind=MessageKind.IMAGE,
        media=make_png(200, 200, (9, 9, 9)) + b"\0" * 4096,
        mime="image/png",
    )
    report = rig.step()
    assert report.intake.media_refused == 1
    (msg,) = [m for m in rig.store.messages("mittwoch") if m.direction is Direction.IN]
    assert msg.media is None and "Großes Foto" in msg.body and "nicht übernommen" in msg.body
    assert not rig.media_dir.exists() or not any(rig.media_dir.iterdir())


def test_overlong_text_is_truncated_to_the_limit(rig: Rig) -> None:
    rig.config = make_config(max_message_chars=50)
    rig.open()
    rig.messenger.citizen_send("c6", "x" * 500)
    rig.step()
    (msg,) = [m for m in rig.store.messages("mittwoch") if m.direction is Direction.IN]
    assert msg.body == "x" * 50 + " […]"


# --- operators --------------------------------------------------------------------------------


def test_reply_respects_claims_unless_forced(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send("c11", "Frage")
    rig.step()
    rig.store.claim("mittwoch", 1, "anna", rig.clock.now())
    with pytest.raises(ConflictError) as err:
        rig.reply(1, "Ich!", operator="bernd")
    assert "--force" in err.value.hint
    assert "Ich!" not in rig.phone("c11")
    rig.reply(1, "Ich!", operator="bernd", force=True)
    assert "Ich!" in rig.phone("c11")


def test_reply_with_a_photo_and_empty_reply_refused(rig: Rig, tmp_path: Path) -> None:
    rig.open()
    rig.messenger.citizen_send("c12", "Frage")
    rig.step()
    photo = tmp_path / "plan.png"
    photo.write_bytes(make_png(10, 10, (0, 0, 0)))
    rig.reply(1, "Der Plan", operator="a", attachment=photo)
    sent = [e for e in rig.messenger.phone("c12") if e.incoming and e.kind == "image"]
    assert len(sent) == 1 and sent[0].text == "Der Plan" and sent[0].mime == "image/png"
    with pytest.raises(InputError):
        rig.reply(1, "  ")


def test_reply_after_close_is_refused(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send("c13", "Frage")
    rig.step()
    closing.close(rig.store, rig.provider, rig.config, "mittwoch", rig.clock, actor="t")
    with pytest.raises(StateError) as err:
        rig.reply(1, "Zu spät")
    assert "closed" in err.value.message


# --- close and purge --------------------------------------------------------------------------


def test_close_sends_closing_words_only_to_unanswered_threads(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send("answered", "Frage 1")
    rig.messenger.citizen_send("waiting", "Frage 2")
    rig.step()
    rig.reply(1, "Antwort")
    report = closing.close(rig.store, rig.provider, rig.config, "mittwoch", rig.clock, actor="t")
    assert report.closing_sent == 1 and report.undelivered == 0
    assert any("Die Sprechstunde ist beendet" in t for t in rig.phone("waiting"))
    assert not any("Die Sprechstunde ist beendet" in t for t in rig.phone("answered"))
    assert rig.session.state is SessionState.CLOSED
    assert [to for _, to in rig.store.state_history("mittwoch")] == ["open", "closing", "closed"]


def test_outbound_media_reaches_the_messenger_as_sent(rig: Rig) -> None:
    sent = rig.provider.send_media(
        "c16", OutboundMedia(MessageKind.VOICE, "audio/ogg", make_ogg_opus(1.0)), "", "k-voice"
    )
    (entry,) = rig.messenger.phone("c16")
    assert entry.id == sent.provider_id and entry.kind == "voice" and entry.size > 0
