"""The architecture page matches the package: its module map names every module where it lives,
and its import rules name the layers the import-linter contract enforces."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
PAGE = (ROOT / "docs" / "architecture.md").read_text()
PACKAGE = ROOT / "langchain_vs"
ENTRY = re.compile(r"^(?P<indent> *)(?P<dir>\w+)/(?:\s|$)")
MODULE = re.compile(r"\b_?[a-z_]+\.py\b")


def module_map() -> str:
    found = re.search(r"## Module map\s+```text\n(.*?)```", PAGE, flags=re.DOTALL)
    assert found, "docs/architecture.md has no module map (a text block under '## Module map')"
    return found.group(1)


def mapped_modules() -> set[str]:
    # A line `  name/` opens a folder at its indentation; the modules a line names (on it or on
    # its continuation lines) live in the innermost folder open at that point.
    folders: list[tuple[int, str]] = []
    mapped: set[str] = set()
    for line in module_map().splitlines():
        if entry := ENTRY.match(line):
            depth = len(entry["indent"])
            folders = [(d, name) for d, name in folders if d < depth] + [(depth, entry["dir"])]
        mapped.update("/".join([*(name for _, name in folders), m]) for m in MODULE.findall(line))
    return mapped


def test_the_module_map_names_every_module_where_it_lives() -> None:
    # A sub-package's own line describes its __init__ (its public names).
    tree = {
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py" or path.parent == PACKAGE
    }
    mapped = mapped_modules()
    assert tree - mapped == set(), "modules missing from the map in docs/architecture.md"
    assert mapped - tree == set(), "the map in docs/architecture.md names modules that don't exist"


def test_the_module_map_lists_every_sub_package() -> None:
    tree = {path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name != "__pycache__"}
    listed = {m["dir"] for m in map(ENTRY.match, module_map().splitlines()) if m and m["indent"]}
    assert tree <= listed, f"sub-packages missing from the map: {sorted(tree - listed)}"


def test_the_import_rules_name_the_enforced_layers() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in contracts["contracts"] if c["type"] == "layers")
    public = " > ".join(layer for layer in layers["layers"] if not layer.startswith("_"))
    # The page wraps lines and marks names as code; compare the words in order.
    prose = re.sub(r"[`\s]+", " ", PAGE.split("## Import rules", 1)[1])
    assert public in prose, f"docs/architecture.md does not state the layers {public!r}"
    assert public in layers["name"], "the layers contract's name lists other layers"
