"""langgraph_dev's errors before it starts anything (the server itself runs in the
integration tests)."""

import importlib.util
from pathlib import Path

import pytest

from langchain_vs.serve import _dev_server as dev_server
from langchain_vs.serve._dev_server import LangGraphDevError, langgraph_dev

DEPLOY = Path(__file__).parents[2] / "deploy" / "langgraph.json"


def test_a_missing_cli_says_what_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        dev_server.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "langgraph_api" else real(name, *a),
    )
    with (
        pytest.raises(LangGraphDevError, match=r"langgraph-cli\[inmem\].*langchain-vs\[deploy\]"),
        langgraph_dev(DEPLOY),
    ):
        pass


def test_a_missing_config_is_named(tmp_path):
    with (
        pytest.raises(LangGraphDevError, match=r"no langgraph.json at .*nowhere\.json"),
        langgraph_dev(tmp_path / "nowhere.json"),
    ):
        pass
