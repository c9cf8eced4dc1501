"""The package's imports run downward only (see bot/answering/__init__.py and its siblings).

Walks every module under bot/ and retrieval/ with `ast`, imports inside functions included, and fails
on an import that points up the layers, between two adapters, or from retrieval into bot.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lower number = lower layer. A module may import its own layer's package and anything below.
LAYERS: list[tuple[str, int]] = [
    ("retrieval", 0),
    ("bot.types", 1), ("bot.datadir", 1), ("bot.messages", 1), ("bot.settings", 1),
    ("bot.feedback", 2),
    ("bot.answering", 3),
    ("bot.serving", 4),
    ("bot.slack", 5), ("bot.teams", 5), ("bot.web", 5),
    ("bot.server", 6), ("bot.runtime", 6), ("bot.operations", 6), ("bot.rebuilds", 6),
    ("bot.evaluation", 7),
    ("bot.cli", 8),
    ("bot", 8),  # bot/__init__.py
]
ADAPTERS = {"bot.slack", "bot.teams", "bot.web"}


def _unit(module: str) -> tuple[str, int] | None:
    for prefix, layer in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return prefix, layer
    return None


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            # `from bot import messages` names a module too
            found += [f"{node.module}.{alias.name}" for alias in node.names if node.module in ("bot", "retrieval")]
    return [name for name in found if name.split(".")[0] in ("bot", "retrieval")]


def violations(root: Path = ROOT) -> list[str]:
    bad = []
    for path in sorted([*root.glob("bot/**/*.py"), *root.glob("retrieval/**/*.py")]):
        here = _module_name(path, root)
        own = _unit(here)
        assert own, f"{here} has no layer: add it to LAYERS"
        for target in _imports(path):
            if target == "bot":
                continue
            other = _unit(target)
            if other is None:
                continue
            if other[0] == own[0]:
                continue
            if other[1] > own[1]:
                bad.append(f"{here} imports {target} (layer {other[1]} above {own[1]})")
            elif other[1] == own[1] and own[0] in ADAPTERS:
                bad.append(f"adapter {here} imports adapter {target}")
    return bad


def test_imports_run_downward_only():
    assert violations() == []


def test_the_check_catches_an_upward_import(tmp_path):
    (tmp_path / "bot" / "answering").mkdir(parents=True)
    (tmp_path / "retrieval").mkdir()
    (tmp_path / "bot" / "answering" / "engine.py").write_text("def f():\n    from bot.serving.service import ChatService\n")
    (tmp_path / "bot" / "web").mkdir()
    (tmp_path / "bot" / "web" / "chat.py").write_text("from bot.slack import blocks\n")
    (tmp_path / "retrieval" / "x.py").write_text("import bot.types\n")
    found = violations(tmp_path)
    assert any("bot.answering.engine imports bot.serving.service" in v for v in found)
    assert any("adapter bot.web.chat imports adapter bot.slack" in v for v in found)
    assert any("retrieval.x imports bot.types" in v for v in found)


@pytest.mark.parametrize("package", ["bot.answering", "bot.serving", "bot.evaluation"])
def test_each_wing_says_what_it_holds(package):
    init = ROOT / Path(*package.split(".")) / "__init__.py"
    assert len(ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or "") > 100
