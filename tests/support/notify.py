"""A desktop that records notifications instead of showing them (tests never pop one up)."""

from __future__ import annotations


class FakeDesktop:
    """`works=False`: like a machine without a notification service (SSH, a container)."""

    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.shown: list[tuple[str, str]] = []
        self.tries = 0

    def show(self, title: str, body: str) -> bool:
        self.tries += 1
        if self.works:
            self.shown.append((title, body))
        return self.works
