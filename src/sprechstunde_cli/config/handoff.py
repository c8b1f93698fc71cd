"""The [handoff] section: which department gets which question, and where exports go."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sprechstunde_cli.config import read
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _


@dataclass(frozen=True)
class HandoffSettings:
    """The `[handoff]` section: which mailbox gets each department's questions, or where they go."""

    # Department name (as operators type it) → mailbox.
    departments: Mapping[str, str] = field(default_factory=dict)
    # Where a hand-off goes when its department has no mailbox of its own; also the address
    # the closing words offer ({office_email}).
    default_mailbox: str = ""
    # Without [mail], hand-offs are written here for the operator to take. Empty: the
    # directory `close` runs in.
    export_dir: Path | None = None
    offer: bool = False  # append texts.closing_handoff_offer to the closing words

    def mailbox(self, department: str) -> str | None:
        return self.departments.get(department) or self.default_mailbox or None


def parse_handoff(tbl: Mapping[str, Any]) -> HandoffSettings:
    read.check_keys(tbl, "handoff", {"departments", "default_mailbox", "export_dir", "offer"})
    departments = tbl.get("departments", {})
    if not isinstance(departments, dict):
        raise ConfigError(
            _("must be a table of name = address."),
            _('Write departments = { Wohngeldamt = "wohngeld@example.org" }.'),
            "handoff.departments",
        )
    mailboxes: dict[str, str] = {}
    for name, address in departments.items():
        # Imported for a section that names departments only: every command loads the config.
        from sprechstunde_cli.domain.handoffs import department_problem

        problem = department_problem(name)
        if problem is not None:
            raise ConfigError(
                _("the name {problem}.").format(problem=problem),
                _("Write the department's name on one line."),
                f"handoff.departments.{name}",
            )
        mailboxes[name] = _address(address, f"handoff.departments.{name}")
    default = tbl.get("default_mailbox", "")
    if default:
        default = _address(default, "handoff.default_mailbox")
    export_dir = tbl.get("export_dir")
    if export_dir is not None and not isinstance(export_dir, str):
        raise ConfigError(
            _("must be a path."), _('Write export_dir = "~/Übergaben".'), "handoff.export_dir"
        )
    offer = tbl.get("offer", False)
    if not isinstance(offer, bool):
        raise ConfigError(_("must be true or false."), _("Write offer = true."), "handoff.offer")
    if offer and not default:
        raise ConfigError(
            _("needs an address to offer."),
            _('Set default_mailbox = "buergerbuero@example.org".'),
            "handoff.offer",
        )
    return HandoffSettings(
        departments=mailboxes,
        default_mailbox=str(default),
        export_dir=Path(export_dir).expanduser() if export_dir else None,
        offer=offer,
    )


def _address(value: object, key: str) -> str:
    """The mailbox as every mail server takes it (an umlaut domain in IDNA)."""
    from sprechstunde_cli.domain.handoffs import email_address

    try:
        if not isinstance(value, str):
            raise ValueError(_("not text"))
        return email_address(value)
    except ValueError as err:
        raise ConfigError(
            _("must be an e-mail address the office can send to ({err}).").format(err=err),
            _('Write it as "name@example.org".'),
            key,
        ) from None
