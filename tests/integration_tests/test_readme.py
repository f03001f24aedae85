"""Every Python block of the README runs as shown, in order, on the local model (offline).

The blocks are run like a notebook: one namespace, top to bottom, in a scratch folder, without
``OPENAI_API_KEY`` (so ``default_chat_model()`` is the embedded model).
"""

import re
from pathlib import Path

import pytest

README = Path(__file__).parents[2] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.DOTALL | re.MULTILINE)


def test_the_readme_has_python_blocks() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.timeout(1800)  # a hang guard sized for a loaded 2-core machine
def test_every_python_block_runs_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for number, block in enumerate(BLOCKS, 1):
        try:
            exec(compile(block, f"README.md python block {number}", "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"README python block {number} failed:\n{block}") from error
    assert capsys.readouterr().out.strip()  # the blocks print what the README says they do
