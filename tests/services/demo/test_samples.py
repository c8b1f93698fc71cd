"""The rehearsal's sample media: valid files, as our own sniffer and independent tools read them."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from sprechstunde_cli.domain.media import (
    Sniffed,
    sniff,
)
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.services.demo.samples import make_ogg_opus, make_png
from tests.support.media_samples import (
    parse_ogg,
)
from tests.support.tools import needs


def test_png_generator_output_resniffs_with_its_size() -> None:
    data = make_png(37, 21, (10, 20, 30))
    assert sniff(data, None) == Sniffed("image/png", MessageKind.IMAGE, ".png", 37, 21)


def test_png_generator_writes_valid_chunks_and_pixels() -> None:
    data = make_png(5, 2, (1, 2, 3))
    i, chunks = 8, {}
    while i < len(data):
        (length,) = struct.unpack_from(">I", data, i)
        kind, body = data[i + 4 : i + 8], data[i + 8 : i + 8 + length]
        (crc,) = struct.unpack_from(">I", data, i + 8 + length)
        assert crc == zlib.crc32(kind + body), kind
        chunks[kind] = body
        i += 12 + length
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
    assert zlib.decompress(chunks[b"IDAT"]) == (b"\0" + b"\1\2\3" * 5) * 2


@needs("file")
def test_png_cross_check_with_file_command(tmp_path: Path) -> None:
    target = tmp_path / "x.png"
    target.write_bytes(make_png(12, 7, (0, 0, 0)))
    out = subprocess.run(["file", "-b", str(target)], capture_output=True, text=True).stdout
    assert "PNG image data, 12 x 7" in out


def test_ogg_opus_pages_are_valid() -> None:
    seconds = 2.53
    data = make_ogg_opus(seconds)
    pages = parse_ogg(data)
    assert b"".join(data[p.start : p.end] for p in pages) == data
    assert all(p.crc_ok for p in pages)
    assert [p.seq for p in pages] == list(range(len(pages)))
    assert len({p.serial for p in pages}) == 1
    assert [p.flags for p in pages] == [0x02] + [0] * (len(pages) - 2) + [0x04]
    (head,), (tags,) = pages[0].packets, pages[1].packets
    version, channels, pre_skip, rate = struct.unpack_from("<BBHI", head, 8)
    assert head[:8] == b"OpusHead" and (version, pre_skip, rate) == (1, 312, 48_000)
    assert channels in (1, 2) and tags.startswith(b"OpusTags")
    granules = [p.granule for p in pages]
    assert granules[:2] == [0, 0] and granules[2:] == sorted(granules[2:])
    assert granules[-1] - 312 == round(seconds * 48_000)
    decoded = 0
    for page in pages[2:]:
        for packet in page.packets:
            # 20 ms configs: SILK 1/5/9, hybrid 13/15, CELT 19/23/27/31; code 0 = one frame.
            assert packet[0] >> 3 in {1, 5, 9, 13, 15, 19, 23, 27, 31}
            assert packet[0] & 0b11 == 0
            decoded += 960
        # A page's granule counts decoded samples; only the last page may trim below that.
        if page is pages[-1]:
            assert decoded - 960 < page.granule <= decoded
        else:
            assert page.granule == decoded


def test_generators_are_deterministic() -> None:
    assert make_ogg_opus(1.25) == make_ogg_opus(1.25)
    assert make_png(3, 3, (9, 9, 9)) == make_png(3, 3, (9, 9, 9))


def test_generators_refuse_impossible_sizes() -> None:
    with pytest.raises(ValueError):
        make_png(0, 5, (0, 0, 0))
    with pytest.raises(ValueError):
        make_ogg_opus(0)


@needs("opusinfo")
def test_opus_cross_check_with_opusinfo(tmp_path: Path) -> None:
    target = tmp_path / "v.opus"
    target.write_bytes(make_ogg_opus(3.7))
    out = subprocess.run(["opusinfo", str(target)], capture_output=True, text=True)
    assert out.returncode == 0 and "WARNING" not in out.stdout + out.stderr
    assert "Playback length: 0m:03.7" in out.stdout
