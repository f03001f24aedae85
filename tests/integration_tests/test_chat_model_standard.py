"""LangChain's standard chat-model integration tests: VerbalizedChatModel over the real local
model (SmolLM2-135M behind llama.cpp on 127.0.0.1, through ChatOpenAI)."""

import functools
import inspect
from typing import Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_vs.local._server import shared_server
from langchain_vs.runnables._chat_model import VerbalizedChatModel


class TestVerbalizedChatModelOnLocalModel(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[VerbalizedChatModel]:
        return VerbalizedChatModel

    @property
    def chat_model_params(self) -> dict[str, Any]:
        # Temperature 0.7 (the paper's; the suite's default 0 makes the greedy reply to its
        # joke prompt ramble inside the JSON schema up to the token limit) with a fixed seed:
        # unseeded, about 1 structured call in 50 rambles there (measured), and the suite's
        # structured tests count exactly one model call, which a re-ask would break. llama.cpp
        # reproduces a seeded reply exactly, so each test now does the same thing every run.
        # k=2: a real distribution to draw from, in the shortest reply (the suite makes ~40
        # calls; this keeps it to about a minute on 2 cores).
        return {"model": shared_server().chat_model(seed=3), "k": 2, "temperature": 0.7}


# Every standard test that cannot apply, and why. Each reason was checked: plain ChatOpenAI on
# the same local server fails the same way, so the limit is the 135M model and its server, not
# the VS wrapper (whose pass-through of tool calls is unit-tested with a fake tool-calling model).
NO_TOOL_CALLS = (
    "the local SmolLM2-135M server returns no tool calls, even with tool_choice='any' "
    "(plain ChatOpenAI on it gets none either)"
)
NO_V1_FUNCTION_CALLING = (
    "pydantic v1 schemas are refused with a ValueError (structured candidates need pydantic v2, "
    "a TypedDict or a JSON-schema dict); plain ChatOpenAI gets no answer for them here either "
    "(they make it use function calling, which the local server does not answer with tool calls)"
)
XFAILS = {
    "test_structured_output_pydantic_2_v1": NO_V1_FUNCTION_CALLING,
}
# The missing tool calls: marked xfail but not run (run=False). Running them costs about 65 s of
# model calls a run (the tiny model rambles until its token limit) to show the same limit again;
# `pytest tests/integration_tests/test_chat_model_standard.py --runxfail -k tool_calling` shows it.
SAME_AS_TOOL_CALLING = (
    "test_tool_calling",
    "test_tool_calling_async",
    "test_bind_runnables_as_tools",
    "test_tool_choice",
    "test_tool_calling_with_no_arguments",
    "test_agent_loop",
    "test_unicode_tool_call_integration",
)


def _marked(name: str, mark: Any) -> Any:
    """The suite's test, wrapped (the suite's own function stays unmarked) and marked."""
    base = getattr(ChatModelIntegrationTests, name)
    if inspect.iscoroutinefunction(base):

        @functools.wraps(base)
        async def test(*args: Any, **kwargs: Any) -> None:
            await base(*args, **kwargs)
    else:

        @functools.wraps(base)
        def test(*args: Any, **kwargs: Any) -> None:
            base(*args, **kwargs)

    test.pytestmark = list(getattr(base, "pytestmark", []))  # type: ignore[attr-defined]
    return mark(test)


for _name, _reason in XFAILS.items():
    _mark = pytest.mark.xfail(reason=_reason, strict=True)
    setattr(TestVerbalizedChatModelOnLocalModel, _name, _marked(_name, _mark))
for _name in SAME_AS_TOOL_CALLING:
    _reason = f"{NO_TOOL_CALLS}; run it with --runxfail to see"
    _mark = pytest.mark.xfail(reason=_reason, run=False)
    setattr(TestVerbalizedChatModelOnLocalModel, _name, _marked(_name, _mark))
