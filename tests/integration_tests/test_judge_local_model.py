"""The LLM judge on the real local model through ChatOpenAI: one call scores a whole draw."""

from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_openai import ChatOpenAI

from langchain_vs import LLMJudge, VerbalizedSampler


class CallCounter(BaseCallbackHandler):
    """Counts the chat-model calls made (re-asks included)."""

    def __init__(self) -> None:
        self.calls = 0

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.calls += 1


def test_the_local_model_judges_all_k_candidates_of_a_draw_in_one_call(
    chat_model: ChatOpenAI,
) -> None:
    prompt = "Name a pet cat."
    draw = VerbalizedSampler(model=chat_model, k=5, output="distribution").invoke(prompt)
    counter = CallCounter()
    judge = LLMJudge(
        chat_model.model_copy(update={"callbacks": [counter]}),
        rubric="Is it a fitting name for a pet cat?",
        scale=(1, 10),
    )
    scores = judge.score([("human", prompt)], list(draw))
    assert len(scores) == len(draw)
    assert all(1 <= s.value <= 10 and s.value == int(s.value) for s in scores)
    # The schema asks for a non-empty reason; one of white space only is read as None.
    assert all(s.reason is None or s.reason.strip() == s.reason != "" for s in scores)
    # The schema (keyed by candidate, scores bounded) is enforced by the server's grammar, so
    # the first reply is usable: one model call per draw.
    assert counter.calls == 1
