"""One output rule: the terminal is reached only through the Application's output methods.

Each of them sanitizes (say, warn, fail, confirm, ask), takes a view built by render/ (show,
live: a rich object, which the type forbids to be a bare str) or escapes every character that
is not printable ASCII (emit_json). A print, echo, prompt or console call anywhere else could
put a citizen's or a server's text on the terminal raw.
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.system.paths import Paths
from sprechstunde_cli.system.redact import MARK
from tests.support.archscan import MODULES, Module, callee, named, violations

# Calls that write to the terminal or read from it with a prompt, whatever the receiver.
_METHOD_SINKS = {"echo", "secho", "prompt", "confirm", "print", "print_json", "rule", "getpass"}
_STREAMS = {"stdout", "stderr", "__stdout__", "__stderr__"}
_THE_APPLICATION = {"application", "self.application"}  # its own confirm() sanitizes

ALLOWED = {
    "cli/application.py": "the output methods themselves: each sanitizes or takes a render/ view",
    "cli/funnel.py": "prints Error:/Hint: through clean(), also before an Application exists",
    "cli/click_texts.py": "prints Click's usage errors translated, through clean(), as the funnel",
    "cli/__init__.py": "the --version callback prints our own version string, a constant",
}


def _receiver(func: ast.AST) -> str:
    if isinstance(func, ast.Attribute):
        return ast.unparse(func.value)
    return ""


def output_calls(m: Module) -> list[tuple[int, str]]:
    hits = []
    for node in ast.walk(m.tree):
        if not isinstance(node, ast.Call):
            continue
        name, receiver = callee(node), _receiver(node.func)
        if receiver in _THE_APPLICATION:
            continue
        if isinstance(node.func, ast.Name) and name in {"print", "input", "Live"}:
            hits.append((node.lineno, f"calls {name}()"))
        elif isinstance(node.func, ast.Attribute) and name in _METHOD_SINKS:
            hits.append((node.lineno, f"calls {receiver}.{name}()"))
        elif name in {"write", "writelines"} and (
            receiver.rpartition(".")[2] in _STREAMS or "get_text_stream" in receiver
        ):
            hits.append((node.lineno, f"writes to {receiver}"))
        elif name == "write" and receiver == "os":
            hits.append((node.lineno, "os.write() (to a descriptor that may be the terminal)"))
        elif name == "Live":
            hits.append((node.lineno, "builds a rich Live view"))
    return hits


def test_only_the_output_methods_reach_the_terminal() -> None:
    found = [
        f"{m.rel}:{line}: {text}"
        for m in MODULES
        if m.rel not in ALLOWED
        for line, text in output_calls(m)
    ]
    assert found == [], "use application.say/warn/fail/show/emit_json/confirm/ask/live"


def test_every_allowed_module_still_writes_to_the_terminal() -> None:
    stale = [rel for rel in ALLOWED if not output_calls(named(rel))]
    assert stale == []


def test_the_output_detector_finds_the_usual_spellings() -> None:
    source = (
        "print(x)\ntyper.echo(x)\nclick.secho(x)\nconsole.print(x)\nsys.stdout.write(x)\n"
        "sys.stderr.writelines(x)\ntyper.get_text_stream('stdout').write(x)\nos.write(1, b)\n"
        "typer.prompt(x)\ntyper.confirm(x)\nlive = Live(console=c)\nrich.live.Live()\n"
        "self.application.console.print(x)\nname = input()\n"
        "handle.write(x)\nlog.info(x)\napplication.say(x)\napplication.confirm(x)\n"
    )
    hits = output_calls(Module("cli/x.py", "x", ast.parse(source)))
    assert sorted(line for line, _ in hits) == list(range(1, 15))


class _Terminal:
    """The Application's consoles, pointed at strings instead of the terminal."""

    def __init__(self, tmp_path: Path) -> None:
        self.application = Application(Paths(tmp_path / "c.toml", tmp_path / "d", tmp_path / "l"))
        from sprechstunde_cli.render.console import make_console

        self.out, self.err = io.StringIO(), io.StringIO()
        self.application.__dict__["console"] = make_console(file=self.out, width=200)
        self.application.__dict__["err_console"] = make_console(file=self.err, width=200)


HOSTILE = "Bauamt\x1b]52;c;ZWNobyBoYWNr\x07\x1b[2J\u202e\x9b31m"


@pytest.mark.parametrize("method", ["say", "warn", "fail"])
def test_the_line_methods_sanitize(tmp_path: Path, method: str) -> None:
    terminal = _Terminal(tmp_path)

    getattr(terminal.application, method)(f"Server says: {HOSTILE}")

    written = terminal.out.getvalue() + terminal.err.getvalue()
    assert "Server says: Bauamt" in written
    assert not any(ch in written for ch in "\x1b\x07\u202e\x9b")


def test_json_lines_escape_what_is_not_printable_ascii(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _Terminal(tmp_path).application.emit_json({"text": HOSTILE})

    written = capsys.readouterr().out
    assert written.isascii() and written.endswith("}\n")
    assert not any(ch in written for ch in "\x1b\x07\x7f")


def bare_strings_shown(m: Module) -> list[tuple[int, str]]:
    """show()/live updates given a str literal, an f-string or a concatenation: text that no
    render/ function built. (mypy refuses any other str too: show() takes a ConsoleRenderable.)"""
    hits = []
    for node in ast.walk(m.tree):
        if (
            isinstance(node, ast.Call)
            and callee(node) in {"show", "update"}
            and node.args
            and isinstance(node.args[0], ast.Constant | ast.JoinedStr | ast.BinOp)
        ):
            hits.append((node.lineno, f"{callee(node)}() of a bare string"))
    return hits


def test_views_are_built_by_render_not_written_inline() -> None:
    assert violations(bare_strings_shown) == []


def test_the_bare_string_detector_finds_the_usual_spellings() -> None:
    source = (
        'application.show("x")\napplication.show(f"{x}")\nlive.update("a" + b)\n'
        "application.show(view)\nlive.update(frame, refresh=True)\n"
    )
    hits = bare_strings_shown(Module("cli/x.py", "x", ast.parse(source)))
    assert [line for line, _ in hits] == [1, 2, 3]


# A default as if the config held it: Click would print it raw in its `[default]`.
HOSTILE_DEFAULT = "@evil\x1b]52;c;ZWNobyBoYWNr\x07:example.org"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("\n", HOSTILE_DEFAULT), ("@anna:example.org\n", "@anna:example.org")],
    ids=["enter", "typed"],
)
def test_ask_shows_its_default_cleaned_and_returns_it_raw(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    typed: str,
    expected: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    answer = _Terminal(tmp_path).application.ask("User ID", default=HOSTILE_DEFAULT)
    assert capsys.readouterr().out == "User ID [@evil\\x1b]52;c;ZWNobyBoYWNr\\x07:example.org]: "
    assert answer == expected


def test_ask_shows_no_default_for_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": (print(prompt, end=""), "")[1])
    answer = _Terminal(tmp_path).application.ask("Password", default="hunter22", secret=True)
    assert capsys.readouterr().out == "Password: "
    assert answer == "hunter22"


def test_the_live_view_takes_only_redacted_lines() -> None:
    # Its status and alert quote servers. Their type is `Redacted`, which mypy holds every caller
    # to, and only `Application.redacted` makes one (through system/redact.py).
    from sprechstunde_cli.render.threads import live_view

    assert live_view.__annotations__["status"] == "Redacted"
    assert live_view.__annotations__["alert"] == "Sequence[Redacted]"
    makers = {
        m.rel
        for m in MODULES
        for node in ast.walk(m.tree)
        if isinstance(node, ast.Call) and callee(node) == "Redacted"
    }
    assert makers == {"cli/application.py"}


def test_redacted_takes_out_what_say_takes_out(tmp_path: Path) -> None:
    terminal = _Terminal(tmp_path)
    line = "WAHA said: X-Api-Key: k3y-5f3a9e0b"
    terminal.application.say(line)
    assert terminal.application.redacted(line) == f"WAHA said: X-Api-Key: {MARK}"
    assert terminal.out.getvalue() == f"WAHA said: X-Api-Key: {MARK}\n"
