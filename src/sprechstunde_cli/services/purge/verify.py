"""Prove the purge: search files for what the session held, in the forms it could be stored in.

The needles live only in memory during one purge; the result holds counts and file names of
our own files, never a needle.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sprechstunde_cli.domain.receipt import Verification
from sprechstunde_cli.i18n import _

# Shorter texts ("Hallo", "Danke") also occur in unrelated files; searching for them proves
# nothing and fails purges for no reason.
MIN_NEEDLE_CHARS = 6
MIN_NEEDLE_BYTES = 16  # for binary content: a slice this long from a photo or voice note
CHUNK = 1 << 20
# The search looks up an ANCHOR-byte slice at every STRIDE-th position of a file in an index
# of every needle's first STRIDE slices, instead of searching the file once per needle: the
# cost grows with the bytes scanned, not with bytes × needles (thousands after a big session).
ANCHOR = 8
STRIDE = 8


@dataclass(frozen=True)
class Scan:
    """What the search after the purge found: counts, and our files that still hold something."""

    needles: int
    skipped_short: int
    files: int
    bytes: int
    hits: tuple[str, ...]  # names of files (ours) that still hold something

    @property
    def clean(self) -> bool:
        return not self.hits

    def summary(self) -> Verification:
        """The receipt's account of this search: counts only."""
        return Verification(
            result="clean" if self.clean else "remains found",
            searched_for=self.needles,
            short_texts_not_searched=self.skipped_short,
            files_scanned=self.files,
            bytes_scanned=self.bytes,
        )


def encodings(text: str) -> set[bytes]:
    """Every form a text may sit on disk in: UTF-8, UTF-16, lower case, JSON-escaped."""
    forms = {text, text.lower(), json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    out: set[bytes] = set()
    for form in forms:
        out.add(form.encode("utf-8"))
        out.add(form.encode("utf-16-le"))
        out.add(form.encode("utf-16-be"))
    return out


def needles_from(texts: Iterable[str], blobs: Iterable[bytes]) -> tuple[set[bytes], int]:
    needles: set[bytes] = set()
    skipped = 0
    for text in texts:
        if len(text.strip()) < MIN_NEEDLE_CHARS:
            skipped += bool(text.strip())
            continue
        needles |= encodings(text)
    for blob in blobs:
        if len(blob) >= MIN_NEEDLE_BYTES:
            middle = len(blob) // 2
            needles.add(blob[middle : middle + MIN_NEEDLE_BYTES])
    return needles, skipped


def scan(roots: Iterable[Path], needles: set[bytes], skipped: int = 0) -> Scan:
    """Search every regular file under `roots` (files or folders) for every needle."""
    index = _Index(needles)
    files = total = 0
    hits: list[str] = []
    for path in _files(roots):
        files += 1
        try:
            found, size = _search(path, index)
        except OSError:
            hits.append(_("{name} (unreadable)").format(name=path.name))
            continue
        total += size
        if found:
            hits.append(path.name)
    return Scan(len(needles), skipped, files, total, tuple(hits))


class _Index:
    """Needles by their anchors: finds any of them in one pass over a buffer.

    An occurrence of a needle at least ANCHOR + STRIDE - 1 long covers some position that is a
    multiple of STRIDE, at an offset below STRIDE into the needle; that slice is in the index,
    and a hit is confirmed by comparing the whole needle. Shorter needles are searched directly.
    """

    def __init__(self, needles: set[bytes]) -> None:
        self.needles = sorted(needles)
        self.longest = max((len(n) for n in needles), default=0)
        self.short = [n for n in self.needles if len(n) < ANCHOR + STRIDE - 1]
        self.anchors: dict[bytes, list[tuple[int, int]]] = {}
        for number, needle in enumerate(self.needles):
            if len(needle) >= ANCHOR + STRIDE - 1:
                for offset in range(STRIDE):
                    anchor = needle[offset : offset + ANCHOR]
                    self.anchors.setdefault(anchor, []).append((number, offset))

    def found_in(self, window: bytes) -> bool:
        if any(n in window for n in self.short):
            return True
        anchors, needles = self.anchors, self.needles
        for position in range(0, len(window) - ANCHOR + 1, STRIDE):
            candidates = anchors.get(window[position : position + ANCHOR])
            if candidates is None:
                continue
            for number, offset in candidates:
                start = position - offset
                if start >= 0 and window.startswith(needles[number], start):
                    return True
        return False


def _files(roots: Iterable[Path]) -> Iterable[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (p for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink())


def _search(path: Path, index: _Index) -> tuple[bool, int]:
    size = 0
    tail = b""
    longest = index.longest
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            size += len(chunk)
            # Overlap the previous chunk's end, so a needle across the boundary is found.
            window = tail + chunk
            if index.found_in(window):
                return True, size
            tail = window[-longest:] if longest else b""
    return False, size
