"""MkDocs hooks: the README and the changelog are pages of the site without a second copy.

Both files link to the published site by absolute URL, because PyPI shows the README away from
the repository. On the site those links become relative again, so a local build (`mkdocs
serve`) stays local and `mkdocs build --strict` checks their pages and anchors like any other.
"""

import posixpath
import re
from collections.abc import Collection
from typing import Any

SITE_LINK = r"\]\({site}([^)#\s]*)(#[^)\s]*)?\)"


def site_links_to_relative(
    markdown: str, *, site_url: str, page_uri: str, pages: Collection[str]
) -> str:
    """Rewrite ``](SITE/route/#anchor)`` to ``](route.md#anchor)``, relative to ``page_uri``.

    ``pages`` are the site's source files (``route.md`` or ``route/index.md``); a route that is
    neither is left as ``route.md``, for the strict build to report.

    Example:
        ```python
        >>> site_links_to_relative(
        ...     "[Q](https://x.io/d/quality/#mbr) [A](https://x.io/d/api/)",
        ...     site_url="https://x.io/d/", page_uri="index.md",
        ...     pages={"quality.md", "api/index.md"},
        ... )
        '[Q](quality.md#mbr) [A](api/index.md)'

        ```
    """

    def relative(match: re.Match[str]) -> str:
        route, anchor = match.group(1).strip("/"), match.group(2) or ""
        index = posixpath.join(route, "index.md")
        target = index if index in pages else f"{route}.md"
        start = posixpath.dirname(page_uri) or "."
        return f"]({posixpath.relpath(posixpath.normpath(target), start)}{anchor})"

    pattern = SITE_LINK.format(site=re.escape(site_url))
    return re.sub(pattern, relative, markdown)


def on_page_markdown(markdown: str, *, page: Any, config: Any, files: Any) -> str:
    """MkDocs' hook: runs after the plugins, so included files are rewritten too."""
    pages = {file.src_uri for file in files.documentation_pages()}
    return site_links_to_relative(
        markdown, site_url=config["site_url"], page_uri=page.file.src_uri, pages=pages
    )
