"""LangChain's standard chat-model integration tests: VerbalizedChatModel over the real local
model (SmolLM2-135M behind llama.cpp on 127.0.0.1, through ChatOpenAI)."""

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
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

    # The suite's own capability flags say what this model cannot do, so the suite skips those
    # tests with its own message. Each limit was checked: plain ChatOpenAI on the same local
    # server fails the same way, so it is the 135M model and its server, not the VS wrapper
    # (whose pass-through of tool calls is unit-tested with a fake tool-calling model, and runs
    # the suite's tool tests in tests/unit_tests/test_chat_model_standard.py).
    @property
    def has_tool_calling(self) -> bool:
        # SmolLM2-135M behind llama.cpp returns no tool calls, even with tool_choice="any".
        return False

    @property
    def has_tool_choice(self) -> bool:
        return False

    @pytest.mark.xfail(
        reason="pydantic v1 schemas are refused with a ValueError (structured candidates need "
        "pydantic v2, a TypedDict or a JSON-schema dict); no capability flag covers it",
        strict=True,
    )
    def test_structured_output_pydantic_2_v1(self, model: BaseChatModel) -> None:
        super().test_structured_output_pydantic_2_v1(model)
