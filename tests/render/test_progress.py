"""The plain lines of a long delivery: short, and saying why it pauses."""

from __future__ import annotations

from sprechstunde_cli.render.progress import progress_line, waiting_note, worth_a_line
from sprechstunde_cli.services.delivery_progress import Progress


def test_a_pause_is_named_with_its_length() -> None:
    assert progress_line(Progress(120, 379, 2.4)) == (
        "Delivered or given up: 120 of 379 message(s). Waiting 2 s for the messenger."
    )
    assert waiting_note(Progress(120, 379, 2.4)) == "Delivering (the messenger asked to wait 2 s)"
    assert progress_line(Progress(379, 379)) == "Delivered or given up: 379 of 379 message(s)."


def test_plain_output_prints_about_every_tenth_part() -> None:
    shown, last = [], None
    for done in range(0, 380):
        step = Progress(done, 379)
        if worth_a_line(step, last):
            shown.append(done)
            last = done
    assert shown[0] == 0 and shown[-1] == 379
    assert 10 <= len(shown) <= 12
