"""How far a long delivery is: a Rich progress bar on a terminal, a plain line otherwise.

`close` sends the closing words to every waiting thread at the messenger's pace, and `open
--once` sends what is due; with hundreds of threads under a rate limit that takes minutes, so
the operator sees the count grow and why it pauses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sprechstunde_cli.i18n import _


class Step(Protocol):
    """What `services/delivery_progress.py` `Progress` reports (render/ imports no services/)."""

    @property
    def done(self) -> int: ...

    @property
    def total(self) -> int: ...

    @property
    def waiting(self) -> float: ...


def delivery_bar(console: Console) -> Progress:
    """A bar of the messages sent or given up, of all that are queued."""
    return Progress(
        TextColumn(text_format="{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def waiting_note(step: Step) -> str:
    """The description beside the bar: what is being delivered, or why it pauses."""
    if step.waiting >= 1:
        return _("Delivering (the messenger asked to wait {seconds:.0f} s)").format(
            seconds=step.waiting
        )
    return _("Delivering")


def progress_line(step: Step) -> str:
    """The plain line for scripts and logs."""
    line = _("Delivered or given up: {done} of {total} message(s).").format(
        done=step.done, total=step.total
    )
    if step.waiting >= 1 and step.done < step.total:
        line += " " + _("Waiting {seconds:.0f} s for the messenger.").format(seconds=step.waiting)
    return line


def worth_a_line(step: Step, last_done: int | None) -> bool:
    """Plain output stays short: the first and last line, every tenth part, and each pause."""
    if last_done is None or step.done == step.total or step.waiting >= 1:
        return True
    return step.done - last_done >= max(1, step.total // 10)


@contextmanager
def reporting(console: Console, say: Callable[[str], None]) -> Iterator[Callable[[Step], None]]:
    """A callback for a long delivery's progress: a bar on a terminal, otherwise a plain line
    (through `say`) now and then."""
    if not console.is_terminal:
        last: int | None = None

        def line(step: Step) -> None:
            nonlocal last
            if worth_a_line(step, last):
                last = step.done
                say(progress_line(step))

        yield line
        return
    with delivery_bar(console) as bar:
        task = bar.add_task(_("Delivering"), total=None)

        def update(step: Step) -> None:
            bar.update(task, description=waiting_note(step), completed=step.done, total=step.total)

        yield update
