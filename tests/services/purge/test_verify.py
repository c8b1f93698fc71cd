"""The purge's search for remains finds exactly what a naive search finds, in one pass."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sprechstunde_cli.services.purge import verify
from sprechstunde_cli.services.purge.verify import encodings, needles_from, scan


@pytest.mark.parametrize("seed", range(40))
def test_the_anchor_index_agrees_with_a_naive_search(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = b"ab\x00\xff" if seed % 2 else bytes(range(256))
    needles = {bytes(rng.choice(alphabet) for _ in range(rng.randint(6, 40))) for _ in range(30)}
    haystack = bytearray(rng.choice(alphabet) for _ in range(rng.randint(0, 3000)))
    if seed % 3 == 0:  # plant one at a random place, often across a stride boundary
        needle = rng.choice(sorted(needles))
        at = rng.randint(0, len(haystack))
        haystack[at:at] = needle
    index = verify._Index(needles)
    assert index.found_in(bytes(haystack)) == any(n in haystack for n in needles)


def test_a_needle_across_the_chunk_boundary_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verify, "CHUNK", 1000)
    text = "Kanarientext über die Müllabfuhr am Musterweg"
    needles, _ = needles_from([text], [])
    for start in range(960, 1001, 3):
        blob = bytearray(3000)
        form = sorted(encodings(text))[start % 5]
        blob[start : start + len(form)] = form
        path = tmp_path / f"f{start}"
        path.write_bytes(bytes(blob))
        assert scan([path], needles).hits == (path.name,)
    clean = tmp_path / "clean"
    clean.write_bytes(bytes(5000))
    assert scan([clean], needles).clean


def test_thousands_of_needles_over_megabytes_in_one_pass(tmp_path: Path) -> None:
    texts = [f"Frage {n}: Wann wird die Brücke am Musterweg {n} repariert?" for n in range(3000)]
    needles, _ = needles_from(texts, [])
    assert len(needles) > 10_000
    store = tmp_path / "store.db"
    store.write_bytes(bytes(4 << 20) + texts[-1].encode("utf-16-le") + bytes(1 << 20))
    result = scan([store], needles)
    assert result.hits == ("store.db",)
    (tmp_path / "store.db").write_bytes(bytes(6 << 20))
    assert scan([store], needles).clean
