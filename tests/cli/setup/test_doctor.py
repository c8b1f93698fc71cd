"""`sprechstunde doctor`: OK, warnings, or an error with its fix and exit code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import EXAMPLE_CONFIG, Plugs, Sp
from tests.support.clocks import FakeClock
from tests.support.waha_rig import WahaRig, waha_rig


def test_doctor_checks_the_local_messenger_of_the_next_session(
    sp: Sp, config_file: Path, clock: FakeClock
) -> None:
    result = sp("doctor")
    assert result.stdout == "OK: local is ready (next session 'mittwoch'; no warnings).\n"
    assert result.stderr == ""


def test_doctor_without_any_session_says_how_to_name_a_provider(
    sp: Sp, isolated: Path, clock: FakeClock
) -> None:
    (isolated / "config.toml").write_text('[office]\nname = "Stadt"\n', encoding="utf-8")
    result = sp("doctor", expect=ExitCode.NOT_FOUND)
    assert "doctor --provider" in result.stderr


def test_doctor_for_waha_without_a_key_names_login(
    sp: Sp, config_file: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPRECHSTUNDE_WAHA_TOKEN", raising=False)
    result = sp("doctor", "--provider", "waha", expect=ExitCode.AUTH)
    assert "Hint: Run: sprechstunde login waha" in result.stderr


@pytest.fixture
def waha_cli(
    config_file: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, plugs: Plugs
) -> Iterator[WahaRig]:
    with waha_rig("WEBJS") as rig:
        text = EXAMPLE_CONFIG.replace('provider = "local"', 'provider = "waha"')
        text += f'\n[providers.waha]\nbase_url = "{rig.hub.base_url}"\nengine = "WEBJS"\n'
        config_file.write_text(text, encoding="utf-8")
        monkeypatch.setenv("SPRECHSTUNDE_WAHA_TOKEN", rig.fake.api_key)
        plugs.transport = httpx.MockTransport(rig.fake)
        yield rig


def test_doctor_says_ok_for_a_working_waha_session(sp: Sp, waha_cli: WahaRig) -> None:
    result = sp("doctor")
    assert result.stdout == "OK: waha is ready (next session 'mittwoch'; no warnings).\n"


def test_doctor_warns_about_saved_contacts_on_the_service_phone(sp: Sp, waha_cli: WahaRig) -> None:
    waha_cli.fake.contacts = [{"id": "490000000077@c.us", "name": "Nachbar", "isMyContact": True}]
    result = sp("doctor")
    assert "1 warning(s)" in result.stdout
    assert "Warning: The service phone has 1 saved contact(s)." in result.stderr


def test_doctor_names_the_session_state_and_the_fix(sp: Sp, waha_cli: WahaRig) -> None:
    waha_cli.fake.status = "SCAN_QR_CODE"
    result = sp("doctor", expect=ExitCode.PROVIDER)
    assert "Error: The WhatsApp session 'default' is SCAN_QR_CODE, not WORKING." in result.stderr
    assert "scan the QR code" in result.stderr
    assert result.stdout == ""


def test_doctor_with_a_wrong_key_exits_with_the_auth_code(
    sp: Sp, waha_cli: WahaRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPRECHSTUNDE_WAHA_TOKEN", "not-the-key")
    result = sp("doctor", expect=ExitCode.AUTH)
    assert "refused the API key" in result.stderr
    assert "not-the-key" not in result.stderr + result.stdout
