"""README.md drifts from the code: the configuration table against what Settings reads, the Slack scopes table
against the manifest, and the README's length and wording.

The configuration table is also checked variable by variable (default, good and bad values) in
tests/test_settings.py; this file checks it against the source of `Settings.from_env`, so a variable read
there but missing from both the README and test_settings.py is caught too."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from bot.settings import Settings
from tests.test_settings import _documented

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _read_by_settings() -> set[str]:
    """Every environment name `Settings.from_env` passes to `get(...)` (string literals only)."""
    tree = ast.parse(inspect.getsource(Settings.from_env).strip().replace("\n    ", "\n"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "get":
            assert node.args and isinstance(node.args[0], ast.Constant), ast.dump(node)
            names.add(node.args[0].value)
    return names


def test_the_parser_finds_the_variables_settings_reads():
    names = _read_by_settings()
    assert {"PORT", "DATABASE_URL", "MicrosoftAppId", "OMSTILLINGSBOT_RETENTION_DAYS"} <= names
    assert len(names) > 30


def test_the_configuration_table_lists_exactly_what_settings_reads():
    read, documented = _read_by_settings(), _documented()
    assert read - documented == set(), "read by Settings but not in the README's «Variabel» table"
    assert documented - read == set(), "in the README's «Variabel» table but not read by Settings"


def _table(first_header: str) -> list[list[str]]:
    """The rows of the README table whose first header cell is `first_header`."""
    rows: list[list[str]] = []
    in_table = False
    for line in README.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if not cells:
            if in_table:
                return rows
            continue
        if cells[0] == first_header:
            in_table = True
        elif in_table and not set(cells[0]) <= {"-", ":", " "}:
            rows.append(cells)
    return rows


def _manifest_bot_scopes(path: Path) -> list[str]:
    """oauth_config.scopes.bot of a Slack manifest, read line by line (the list is plain YAML)."""
    scopes, section = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped.strip():
            continue
        indent = len(stripped) - len(stripped.lstrip())
        if stripped.strip().endswith(":") and not stripped.strip().startswith("- "):
            section = [s for s in section if s[0] < indent] + [(indent, stripped.strip()[:-1])]
        elif stripped.strip().startswith("- ") and [s[1] for s in section][-3:] == ["oauth_config", "scopes", "bot"]:
            scopes.append(stripped.strip()[2:].strip())
        elif indent <= section[-1][0] if section else False:
            section = [s for s in section if s[0] < indent]
    return scopes


def test_the_slack_scopes_table_is_exactly_the_manifests_bot_scopes():
    manifest = _manifest_bot_scopes(ROOT / "bot" / "slack" / "manifest.yaml")
    assert "chat:write" in manifest and len(manifest) >= 5
    assert _manifest_bot_scopes(ROOT / "bot" / "slack" / "manifest.socket.yaml") == manifest
    rows = _table("Scope")
    listed = [re.fullmatch(r"`([a-z_:.]+)`", row[0]).group(1) for row in rows]
    assert sorted(listed) == sorted(manifest)
    assert len(listed) == len(set(listed))
    assert all(len(row) > 1 and row[1] for row in rows), "every scope says why it is needed"


def test_the_readme_is_short_and_has_no_development_diary():
    assert len(README.splitlines()) <= 350
    assert not re.search(r"issue\s*#?\d+", README, re.IGNORECASE)
    ordinals = "første|andre|tredje|fjerde|femte|sjette|sjuende|syvende|åttende|niende|tiende|\\d+\\."
    assert not re.search(rf"\b({ordinals})\s+økt", README, re.IGNORECASE)
    assert not re.search(r"\bcommit [0-9a-f]{7,40}\b", README)
