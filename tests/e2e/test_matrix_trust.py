"""`login matrix --recovery-key` on the real Synapse: the office's device is cross-signed with
the self-signing key from the account's secure backup; `doctor` says what citizens see before
and after; a wrong key is refused and not kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from sprechstunde_cli.system.credentials import token_for
from sprechstunde_cli.system.paths import resolve_paths
from tests.e2e.test_matrix import matrix_config
from tests.support.cli import Sp
from tests.support.cross_signing import SecureBackup, recovery_key_text
from tests.support.synapse import Synapse, unique


def test_the_recovery_key_cross_signs_the_office_device(
    synapse_server: Synapse, sp: Sp, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = synapse_server.register(unique("office"), name="Bürgerbüro")
    matrix_config(isolated / "config.toml", synapse_server, office, admin=False)
    monkeypatch.setenv("SPRECHSTUNDE_MATRIX_TOKEN", office.access_token)
    before = sp("doctor")
    assert "no cross-signing keys" in before.stdout + before.stderr

    backup = SecureBackup(synapse_server, office)
    backup.set_up()
    unverified = sp("doctor")
    assert "unverified session" in unverified.stdout + unverified.stderr

    wrong = sp(
        "login", "matrix", "--recovery-key", input=recovery_key_text(bytes(32)) + "\n", expect=6
    )
    assert "does not open" in wrong.stderr
    assert token_for("matrix-recovery", resolve_paths()) is None
    assert not backup.device_is_cross_signed(office.device_id)

    done = sp("login", "matrix", "--recovery-key", input=backup.recovery_text + "\n")
    assert "Cross-signed" in done.stdout
    assert backup.recovery_text not in done.stdout + done.stderr
    assert backup.device_is_cross_signed(office.device_id)
    kept = token_for("matrix-recovery", resolve_paths())
    assert kept is not None and kept.reveal() == backup.recovery_text
    after = sp("doctor")
    assert "unverified session" not in after.stdout + after.stderr
    assert "cross-signing" not in after.stdout + after.stderr
    logged_out = sp("logout", "matrix")
    assert "Deleted the stored recovery key for matrix" in logged_out.stdout
    assert token_for("matrix-recovery", resolve_paths()) is None


def test_a_mistyped_recovery_key_is_refused_before_asking_the_server(
    synapse_server: Synapse, sp: Sp, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = synapse_server.register(unique("office"))
    matrix_config(isolated / "config.toml", synapse_server, office, admin=False)
    monkeypatch.setenv("SPRECHSTUNDE_MATRIX_TOKEN", office.access_token)
    good = recovery_key_text(bytes(range(32)))
    typo = good[:-1] + ("A" if good[-1] != "A" else "B")
    refused = sp("login", "matrix", "--recovery-key", input=typo + "\n", expect=6)
    assert "not a Matrix recovery key" in refused.stderr
