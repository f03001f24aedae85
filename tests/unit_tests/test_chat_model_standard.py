"""LangChain's standard chat-model unit tests, with a FAKE inner model (logic only)."""

from typing import Any

from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_vs.runnables._chat_model import VerbalizedChatModel

from .fake_models import SettingsFakeChatModel, vs_json


class TestVerbalizedChatModelStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[VerbalizedChatModel]:
        return VerbalizedChatModel

    @property
    def chat_model_params(self) -> dict[str, Any]:
        reply = vs_json([("Hello!", 0.6), ("Hi there!", 0.4)])
        # The suite passes temperature, max_tokens, timeout and api_key: the inner model has them.
        return {"model": SettingsFakeChatModel(replies=[reply]), "k": 2}
