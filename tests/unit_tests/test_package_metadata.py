"""What PyPI shows: the README's links work outside the repository, and they, the package
metadata and the changelog agree with the docs site and the version."""

import re
import sys
import tomllib
from pathlib import Path

import pytest

import langchain_vs

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "scripts"))  # the site's hook is a script, not package code
from mkdocs_hooks import site_links_to_relative  # noqa: E402

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
MKDOCS = (ROOT / "mkdocs.yml").read_text()
SITE = re.search(r"^site_url: (\S+)$", MKDOCS, flags=re.MULTILINE)
README = (ROOT / "README.md").read_text()
LINK = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>\s]+)>")


def site_url() -> str:
    assert SITE, "mkdocs.yml has no site_url"
    return SITE.group(1)


def readme_links() -> list[str]:
    return [a or b for a, b in LINK.findall(README)]


def test_readme_links_are_absolute() -> None:
    # PyPI renders the README away from the repository: a relative link there is a dead link.
    relative = [link for link in readme_links() if not re.match(r"https?://", link)]
    assert not relative, f"relative links in README.md: {relative}"


def test_readme_links_to_the_docs_go_to_the_site() -> None:
    # The site build turns these back into page links and checks them (--strict, the hook).
    to_docs = [link for link in readme_links() if "docs/" in link or link.endswith(".md")]
    assert not to_docs, f"links to docs/ files instead of the site: {to_docs}"
    to_site = [link for link in readme_links() if link.startswith(site_url())]
    assert len(to_site) >= 15  # the table of what the library does links every page


def test_site_links_become_page_links_on_the_site() -> None:
    site = site_url()
    markdown = (
        f"[a]({site}getting-started/#two-commands) [b]({site}) [c]({site}api/) "
        f"[d]({site}bench/results/) [e](https://example.com/quality/) <{site}>"
    )
    pages = {"index.md", "getting-started.md", "api/index.md", "bench/results.md"}
    on_home = site_links_to_relative(markdown, site_url=site, page_uri="index.md", pages=pages)
    assert on_home == (
        "[a](getting-started.md#two-commands) [b](index.md) [c](api/index.md) "
        f"[d](bench/results.md) [e](https://example.com/quality/) <{site}>"
    )
    in_folder = site_links_to_relative(markdown, site_url=site, page_uri="api/core.md", pages=pages)
    assert in_folder.startswith(
        "[a](../getting-started.md#two-commands) [b](../index.md) [c](index.md)"
    )


@pytest.mark.parametrize("key", ["Homepage", "Documentation", "Repository", "Issues", "Changelog"])
def test_project_urls_are_set(key: str) -> None:
    assert PYPROJECT["project"]["urls"][key].startswith("https://")


def test_documentation_url_is_the_site() -> None:
    assert PYPROJECT["project"]["urls"]["Documentation"] == site_url()


def test_changelog_leads_with_this_version() -> None:
    version = PYPROJECT["project"]["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text()
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.MULTILINE)
    assert releases[0] == version
    assert releases[-1] == "0.1.0"
    assert langchain_vs.__version__ == version
