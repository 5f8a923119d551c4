"""The catalogs cover every message people read, and every message is a marked template.

``python tools/catalog.py`` updates ``domain/locale/zh/LC_MESSAGES/changlang.po`` from the
source and lists what still needs a translation; these tests fail until it lists nothing.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from domain import errors
from domain.i18n import N_, negotiate, render, translations, word

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "schema", "sync", "domain")


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalog_tool", ROOT / "tools" / "catalog.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_marked_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    tool = _tool()
    problems = tool.problems(tool.extracted(), tool.current())
    assert problems == [], "run `python tools/catalog.py` and translate:\n" + "\n".join(problems)


def test_the_committed_catalog_holds_exactly_the_messages_of_the_source() -> None:
    """No stale entry (a message changed in the code but not in the catalog)."""
    tool = _tool()
    source = {str(m.id) for m in tool.extracted() if m.id}
    committed = {str(m.id) for m in tool.current() if m.id}
    assert committed == source, "run `python tools/catalog.py`"


def test_the_placeholder_check_sees_a_missing_or_renamed_placeholder() -> None:
    tool = _tool()
    assert tool.placeholders("no {kind} with id {identifier}") == {"kind", "identifier"}
    assert tool.placeholders("找不到编号为 {identifier} 的{kind}") == {"kind", "identifier"}
    assert tool.placeholders("找不到编号为 {id} 的记录") != {"kind", "identifier"}


def test_chinese_is_the_default_and_english_is_the_identity() -> None:
    message = N_("this vote opens at {opens_at}")
    assert render(message, {"opens_at": "8:00"}, "zh") == "本次投票将于 8:00 开始"
    assert render(message, {"opens_at": "8:00"}, "en") == "this vote opens at 8:00"
    assert translations("en") == {}
    assert render(
        N_("a topic that is {status} is no longer edited"), {"status": word("closed")}, "zh"
    ) == ("处于“已销号”状态的议题不能再修改")


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "zh"),
        ("", "zh"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("fr-FR, en;q=0.5", "en"),
        ("en;q=0.1, zh;q=0.9", "zh"),
        ("en;q=0", "zh"),
        ("de", "zh"),
        ("en_GB", "en"),
        ("q=;;,,", "zh"),
    ],
)
def test_accept_language_negotiation(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def _error_names() -> set[str]:
    """Every DomainError subclass defined anywhere in the packages."""
    found = {"DomainError"}
    grew = True
    trees = [ast.parse(path.read_text()) for p in PACKAGES for path in (ROOT / p).rglob("*.py")]
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in found:
                    bases = {
                        b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                        for b in node.bases
                    }
                    if bases & found:
                        found.add(node.name)
                        grew = True
    return found


def _message_argument(name: str, call: ast.Call) -> ast.expr | None:
    """The argument that is the message: ``InvalidInput(field, message)``, ``NotFound(kind,
    id)`` (the kind is a word, marked too), otherwise the first."""
    position = 1 if name == "InvalidInput" else 0
    for keyword in call.keywords:
        if keyword.arg in ("message", "kind"):
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _is_marked(node: ast.expr) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id == "N_"
    if isinstance(node, ast.IfExp):
        return _is_marked(node.body) and _is_marked(node.orelse)
    return False


def test_no_error_is_raised_with_an_f_string_or_an_unmarked_literal() -> None:
    """A message is ``N_("template {param}")`` with keyword parameters; a literal or an
    f-string would reach a Chinese reader in English."""
    names = _error_names()
    assert {"NotFound", "VoteClosed", "RegisterFileError", "TooMany"} <= names
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name not in names:
                    continue
                message = _message_argument(name, node)
                literal = isinstance(message, ast.JoinedStr) or (
                    isinstance(message, ast.Constant) and isinstance(message.value, str)
                )
                if (
                    literal
                    or (message is not None and isinstance(message, ast.BinOp))
                    or (
                        message is not None
                        and isinstance(message, ast.Call)
                        and not _is_marked(message)
                    )
                ):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    offenders.append(f"{where}: {ast.unparse(node)[:80]}")
    assert offenders == []


def test_the_ast_check_catches_what_it_is_for() -> None:
    """The check above would see an f-string and an unmarked literal (guarding the guard)."""
    bad = ast.parse('raise VoteClosed(f"closed at {t}")\nraise NotFound("vote", 1)\n')
    calls = [n for n in ast.walk(bad) if isinstance(n, ast.Call)]
    assert [
        type(_message_argument(c.func.id, c)).__name__
        for c in calls
        if isinstance(c.func, ast.Name)
    ] == [
        "JoinedStr",
        "Constant",
    ]
    assert issubclass(errors.NotFound, errors.DomainError)
