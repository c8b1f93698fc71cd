"""Media sniffing, limits and generators: the bytes decide, hostile input never raises."""

from __future__ import annotations

import inspect
import random
import struct

import pytest

from sprechstunde_cli.domain.media import (
    MAX_PIXELS,
    OCTET_STREAM,
    Sniffed,
    audio,
    check_limits,
    extension_for,
    sniff,
)
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.services.demo.samples import make_ogg_opus
from tests.support.media_samples import (
    SAMPLES,
    box,
    jpeg,
    ogg_page,
    parse_ogg,
    png_header,
    riff_webp,
    seg,
    sof,
)

# --- each format ----------------------------------------------------------------------------


EXIF_HOLDING_FFC0 = seg(0xE1, b"Exif\0\0" + b"\xff\xc0\x00\x11\x08\x00\x01")
FILL_BYTES = b"\xff\xd8\xff\xff\xe0" + seg(0xE0, b"JFIF")[2:] + b"\xff\xff" + sof(0xC0, 7, 9)[1:]


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (SAMPLES["jpeg"], (640, 480)),
        (jpeg(sof(0xC1, 10, 20)), (10, 20)),
        (jpeg(EXIF_HOLDING_FFC0, sof(0xC2, 33, 44)), (33, 44)),
        (FILL_BYTES, (7, 9)),
        (jpeg(seg(0xDB, bytes(65)), b"\xff\xd0", sof(0xC0, 1, 2)), (1, 2)),
    ],
    ids=["baseline", "sof1", "sof2-after-exif-holding-ffc0", "fill-bytes", "after-rst"],
)
def test_jpeg_walks_markers_to_the_frame_header(data: bytes, size: tuple[int, int]) -> None:
    assert sniff(data, None) == Sniffed("image/jpeg", MessageKind.IMAGE, ".jpg", *size)


def test_jpeg_without_reachable_frame_header_is_still_an_image() -> None:
    for data in (
        jpeg(seg(0xE0, b"JFIF"), seg(0xDA, b"\0"), sof(0xC0, 5, 5)),  # SOF after SOS is not one
        SAMPLES["jpeg"][:12],  # cut inside APP0
        SAMPLES["jpeg"][:26],  # cut inside the frame header
        jpeg(sof(0xC0, 5, 0)),  # height defined later by DNL
    ):
        s = sniff(data, None)
        assert (s.kind, s.mime, s.width, s.height) == (MessageKind.IMAGE, "image/jpeg", None, None)


def test_gif() -> None:
    assert sniff(SAMPLES["gif"], None) == Sniffed("image/gif", MessageKind.IMAGE, ".gif", 320, 200)
    assert sniff(b"GIF87a" + struct.pack("<HH", 2, 3), None).height == 3


VP8_BODY = b"\x30\x01\x00\x9d\x01\x2a" + struct.pack("<HH", 300, 150)
VP8L_BODY = b"\x2f" + ((640 - 1) | (480 - 1) << 14).to_bytes(4, "little")


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (SAMPLES["webp"], (800, 600)),
        (riff_webp(b"VP8 ", VP8_BODY), (300, 150)),
        (riff_webp(b"VP8L", VP8L_BODY), (640, 480)),
    ],
    ids=["vp8x", "vp8", "vp8l"],
)
def test_webp_variants(data: bytes, size: tuple[int, int]) -> None:
    assert sniff(data, None) == Sniffed("image/webp", MessageKind.IMAGE, ".webp", *size)


@pytest.mark.parametrize("seconds", [0.02, 0.5, 1.0, 2.01, 3.7, 61.3])
def test_opus_duration(seconds: float) -> None:
    s = sniff(make_ogg_opus(seconds), None)
    assert (s.mime, s.kind, s.extension) == ("audio/ogg", MessageKind.VOICE, ".ogg")
    assert s.duration == pytest.approx(seconds, abs=0.05)
    assert s.width is None and s.height is None


def test_opus_with_truncated_last_page_uses_the_last_intact_page() -> None:
    data = make_ogg_opus(3.0)
    pages = parse_ogg(data)
    cut = data[: pages[-1].start + 20]
    expected = (pages[-2].granule - 312) / 48_000
    assert sniff(cut, None).duration == pytest.approx(expected)
    assert expected < 3.0


def test_opus_with_corrupt_last_page_falls_back_to_the_previous_one() -> None:
    data = bytearray(make_ogg_opus(2.5))
    data[-1] ^= 0xFF  # payload byte of the last page: its CRC no longer matches
    pages = parse_ogg(bytes(data))
    assert not pages[-1].crc_ok
    expected = (pages[-2].granule - 312) / 48_000
    assert sniff(bytes(data), None).duration == pytest.approx(expected)


def test_opus_headers_only_is_voice_without_duration() -> None:
    data = make_ogg_opus(1.0)
    headers = data[: parse_ogg(data)[1].end]
    assert sniff(headers, None) == Sniffed("audio/ogg", MessageKind.VOICE, ".ogg")


def test_ogg_vorbis_duration_from_its_own_sample_rate() -> None:
    s = sniff(SAMPLES["vorbis"], None)
    assert (s.kind, s.mime, s.duration) == (MessageKind.VOICE, "audio/ogg", pytest.approx(3.0))


def test_ogg_of_an_unknown_codec_is_a_plain_file() -> None:
    data = ogg_page([b"\x7fFLAC" + bytes(40)], 0, 0, 0x02)
    assert sniff(data, "audio/ogg") == Sniffed(OCTET_STREAM, MessageKind.FILE, ".bin")


def test_crafted_ogg_tail_is_cheap_and_harmless(monkeypatch: pytest.MonkeyPatch) -> None:
    head = ogg_page([b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)], 0, 0, 2)
    fake = struct.pack("<4sBBqIIIB", b"OggS", 0, 0, 10**9, 7, 1, 0, 255) + b"\xff" * 255
    data = head + fake * 2000 + bytes(70_000)  # thousands of plausible pages, every CRC wrong
    # The work is bounded by count, not measured in seconds (timing belongs in bench/).
    checked: list[int] = []
    real_crc = audio.ogg_crc
    monkeypatch.setattr(audio, "ogg_crc", lambda page: checked.append(1) or real_crc(page))
    s = sniff(data, None)
    assert len(checked) <= audio._OGG_CRC_CHECKS
    assert (s.kind, s.duration) == (MessageKind.VOICE, None)


@pytest.mark.parametrize(
    ("data", "mime", "ext", "duration"),
    [
        (SAMPLES["mp3"], "audio/mpeg", ".mp3", None),
        (b"\xff\xfb\x90\x64" + bytes(100), "audio/mpeg", ".mp3", None),
        (SAMPLES["m4a"], "audio/mp4", ".m4a", 4.5),
        (SAMPLES["amr"], "audio/amr", ".amr", None),
        (b"#!AMR-WB\n" + bytes(10), "audio/amr-wb", ".awb", None),
    ],
    ids=["id3", "bare-mp3-frame", "m4a", "amr", "amr-wb"],
)
def test_other_audio_is_voice(data: bytes, mime: str, ext: str, duration: float | None) -> None:
    assert sniff(data, None) == Sniffed(mime, MessageKind.VOICE, ext, duration=duration)


def test_m4a_with_version_1_movie_header() -> None:
    mvhd = box(b"mvhd", struct.pack(">B3xQQIQ", 1, 0, 0, 48_000, 48_000 * 7) + bytes(80))
    data = box(b"ftyp", b"M4A \0\0\0\0") + box(b"moov", mvhd)
    assert sniff(data, None).duration == pytest.approx(7.0)


def test_mp4_video_brand_is_not_a_voice_note() -> None:
    data = box(b"ftyp", b"isom\0\0\0\0isomavc1") + box(b"mdat", bytes(16))
    assert sniff(data, "video/mp4") == Sniffed("video/mp4", MessageKind.FILE, ".bin")


# --- hostile and unknown input --------------------------------------------------------------


def test_sniff_takes_no_file_name() -> None:
    assert list(inspect.signature(sniff).parameters) == ["data", "declared_mime"]


@pytest.mark.parametrize("name", list(SAMPLES))
def test_declared_mime_never_overrides_the_bytes(name: str) -> None:
    honest = sniff(SAMPLES[name], None)
    for lie in ("image/png", "audio/ogg", "application/x-msdownload", "text/html", ""):
        assert sniff(SAMPLES[name], lie) == honest


def test_ogg_declared_as_png_is_voice() -> None:
    s = sniff(make_ogg_opus(1.0), "image/png")
    assert (s.mime, s.kind, s.extension) == ("audio/ogg", MessageKind.VOICE, ".ogg")


@pytest.mark.parametrize(
    ("declared", "mime"),
    [
        (None, OCTET_STREAM),
        ("application/x-unheard-of", "application/x-unheard-of"),
        ("application/pdf", OCTET_STREAM),  # we would have recognised a real PDF: a lie
        ("Image/HEIC; charset=x", "image/heic"),
        ("image/png", OCTET_STREAM),  # we would have recognised a real PNG: a lie
        ("audio/ogg", OCTET_STREAM),
        ("text/html\x1b[31m", OCTET_STREAM),
        ("application/\u202epdf", OCTET_STREAM),
        ("nonsense", OCTET_STREAM),
        ("a/" + "b" * 500, OCTET_STREAM),
    ],
)
def test_unknown_bytes_are_a_file_named_by_a_sane_declared_mime(
    declared: str | None, mime: str
) -> None:
    unknown = b"\x00\x01\x02 no magic we know \xfe"
    assert sniff(unknown, declared) == Sniffed(mime, MessageKind.FILE, ".bin")


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_truncation_is_classified_without_raising(name: str) -> None:
    data = SAMPLES[name]
    for cut in range(len(data) + 1):
        s = sniff(data[:cut], "application/x-test")
        assert isinstance(s, Sniffed)
        assert s.kind is MessageKind.FILE or s.mime == sniff(data, None).mime


def test_mutated_and_random_input_never_raises() -> None:
    rng = random.Random(20240611)
    for _ in range(3000):
        base = bytearray(rng.choice(list(SAMPLES.values())))
        for _ in range(rng.randint(1, 8)):
            base[rng.randrange(len(base))] = rng.randrange(256)
        assert isinstance(sniff(bytes(base), None), Sniffed)
    for n in (0, 1, 2):
        assert sniff(rng.randbytes(n), None).kind is MessageKind.FILE
    for n in (3, 4, 27, 100, 5000):
        assert isinstance(sniff(rng.randbytes(n), None), Sniffed)
    for prefix in (b"OggS", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF\0\0\0\0WEBP", b"ID3"):
        for n in range(0, 64):
            assert isinstance(sniff(prefix + b"\xff" * n, None), Sniffed)


def test_mp4_box_sizes_that_lie_do_not_loop_or_raise() -> None:
    ftyp = box(b"ftyp", b"M4A \0\0\0\0")
    for tail in (
        struct.pack(">I4s", 0, b"moov"),
        struct.pack(">I4s", 3, b"moov"),
        struct.pack(">I4sQ", 1, b"moov", 2**63),
        struct.pack(">I4s", 1, b"moov"),
    ):
        assert sniff(ftyp + tail, None) == Sniffed("audio/mp4", MessageKind.VOICE, ".m4a")


# --- limits ---------------------------------------------------------------------------------


def test_byte_cap_reason() -> None:
    s = sniff(SAMPLES["png"], None)
    assert check_limits(s, 10 * 1024 * 1024, 10 * 1024 * 1024) is None
    reason = check_limits(s, 30 * 1024 * 1024, 25 * 1024 * 1024)
    assert reason == "file is 30.0 MB, over the 25.0 MB limit"


def test_pixel_cap_reason_from_a_header_only_bomb() -> None:
    bomb = sniff(png_header(100_000, 100_000), None)
    assert (bomb.width, bomb.height) == (100_000, 100_000)
    assert check_limits(bomb, 100, 10**9) == (
        "image is 100000x100000 pixels, over the 50 megapixel limit"
    )
    at_cap = sniff(png_header(10_000, MAX_PIXELS // 10_000), None)
    assert check_limits(at_cap, 100, 10**9) is None
    one_more = sniff(png_header(10_000, MAX_PIXELS // 10_000 + 1), None)
    assert check_limits(one_more, 100, 10**9) is not None


def test_unknown_dimensions_and_audio_pass_the_pixel_cap() -> None:
    assert check_limits(sniff(SAMPLES["jpeg"][:10], None), 10, 100) is None
    assert check_limits(sniff(SAMPLES["opus"], None), 10, 100) is None


@pytest.mark.parametrize(
    ("mime", "ext"),
    [("image/png", ".png"), ("image/jpeg", ".jpg"), ("image/gif", ".gif"),
     ("image/webp", ".webp"), ("audio/ogg", ".ogg"), ("audio/ogg; codecs=opus", ".ogg"),
     ("audio/mpeg", ".mp3"), ("audio/mp4", ".m4a"), ("AUDIO/X-M4A", ".m4a"),
     ("application/pdf", ".pdf"), ("text/plain; charset=utf-8", ".txt"),
     ("application/x-unheard-of", ".bin"), ("", ".bin"), ("../../etc/passwd", ".bin")],
)  # fmt: skip
def test_extension_for(mime: str, ext: str) -> None:
    assert extension_for(mime) == ext


# --- the Ogg Opus generator, checked independently ------------------------------------------
