"""Every Python block of the README and of the docs pages runs as shown, on the local model.

Each page's blocks are run like a notebook: one namespace per page, top to bottom, in a scratch
folder, without ``OPENAI_API_KEY`` (so ``default_chat_model()`` is the embedded model). A page
sets up what its own blocks use, so any page can be read (and run) on its own. A page that
reads ``DATABASE_URL`` gets a throwaway PostgreSQL cluster on a loopback port.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .postgres_cluster import PostgresMissing, require_postgres, throwaway_cluster

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)
BLOCKS = {page.relative_to(ROOT).as_posix(): BLOCK.findall(page.read_text()) for page in PAGES}
RUNNABLE = [name for name, blocks in BLOCKS.items() if blocks]
READS_DATABASE = 'os.environ["DATABASE_URL"]'


@pytest.fixture
def database(page: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``DATABASE_URL`` for the pages whose blocks read it."""
    if not any(READS_DATABASE in block for block in BLOCKS[page]):
        yield
        return
    try:
        require_postgres()
    except PostgresMissing as missing:
        pytest.fail(str(missing))  # not a skip: make setup's machine needs PostgreSQL
    with throwaway_cluster() as url:
        monkeypatch.setenv("DATABASE_URL", url)
        yield


def test_the_pages_have_python_blocks() -> None:
    assert BLOCKS["README.md"]  # the front door shows a real example
    assert sum(map(len, BLOCKS.values())) >= 16  # every block the README held before the docs
    assert len(RUNNABLE) >= 10
    assert any(READS_DATABASE in block for block in BLOCKS["docs/serving.md"])


@pytest.mark.timeout(1800)  # a hang guard sized for a loaded 2-core machine
@pytest.mark.parametrize("page", RUNNABLE)
@pytest.mark.usefixtures("database")
def test_every_python_block_runs_in_order(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for number, block in enumerate(BLOCKS[page], 1):
        try:
            exec(compile(block, f"{page} python block {number}", "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"{page} python block {number} failed:\n{block}") from error
    assert capsys.readouterr().out.strip()  # the blocks print what the page says they do
