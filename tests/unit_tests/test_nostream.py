"""The engine's model calls stay out of LangGraph's ``stream_mode="messages"`` (FAKE models).

A model call's tokens are the raw VS reply (JSON), never what a face says: every face that runs
inside a graph node streams its pick, not the JSON it was read from.
"""

from typing import Any

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langgraph.constants import TAG_NOSTREAM
from langgraph.graph import START, MessagesState, StateGraph

from langchain_vs import VerbalizedChatModel, VerbalizedSampler
from langchain_vs.core import NOSTREAM_TAG, model_call_config

REPLY = (
    '{"responses": [{"text": "Tea", "probability": 0.7}, {"text": "Coffee", "probability": 0.3}]}'
)


def test_the_tag_is_langgraphs():
    assert NOSTREAM_TAG == TAG_NOSTREAM


def test_the_tag_is_added_once_and_keeps_the_callers_tags():
    config = model_call_config({"tags": ["mine"], "metadata": {"a": 1}})
    assert config["tags"] == ["mine", NOSTREAM_TAG] and config["metadata"] == {"a": 1}
    assert model_call_config(config)["tags"] == ["mine", NOSTREAM_TAG]


def _graph(face: Any, *, is_async: bool) -> Any:
    async def anode(state: MessagesState) -> dict[str, Any]:
        return {"messages": [await face.ainvoke(state["messages"])]}

    def node(state: MessagesState) -> dict[str, Any]:
        return {"messages": [face.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("answer", anode if is_async else node)
    graph.add_edge(START, "answer")
    return graph.compile()


FACES = {
    "sampler": lambda fake: VerbalizedSampler(model=fake, k=2, selection="argmax"),
    "chat_model": lambda fake: VerbalizedChatModel(model=fake, k=2, selection="argmax"),
}


@pytest.mark.parametrize("face", FACES)
async def test_messages_mode_streams_the_pick_not_the_raw_reply(face: str) -> None:
    for is_async in (False, True):
        fake = GenericFakeChatModel(messages=iter([REPLY]))  # FAKE: streams word by word
        app = _graph(FACES[face](fake), is_async=is_async)
        request = {"messages": [("human", "A hot drink?")]}
        if is_async:
            parts = [c async for c, _ in app.astream(request, stream_mode="messages")]
        else:
            parts = [c for c, _ in app.stream(request, stream_mode="messages")]
        texts = [part.text for part in parts]
        assert not any("responses" in t or "probability" in t for t in texts), texts
        assert "".join(texts).strip() == "Tea"
