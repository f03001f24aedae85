"""What the chat-model judges share: their checked options, and one JSON question per draw.

[`LLMJudge`][langchain_vs.quality.LLMJudge] and
[`PairwiseJudge`][langchain_vs.quality.PairwiseJudge] differ
in the question they ask and how they read the answer; how they are configured and how they ask
(`langchain_vs.quality._ask`, sync and async) is this one class, which each judge holds.
"""

from __future__ import annotations

from typing import TypeVar

from langchain_core.language_models import BaseChatModel

from langchain_vs.core import StructuredOutputMode
from langchain_vs.local import resolve_chat_model
from langchain_vs.quality._ask import JsonTask, aask_json, ask_json
from langchain_vs.quality._checks import (
    check_flag,
    check_retries,
    check_seed,
    check_structured_output,
    check_text,
)

__all__ = ["ChatJudge"]

T = TypeVar("T")


class ChatJudge:
    """The options of a judge that asks a chat model one JSON question per draw, checked."""

    def __init__(
        self,
        model: BaseChatModel | str,
        *,
        rubric: str,
        structured_output: StructuredOutputMode,
        max_retries: int,
        shuffle: bool,
        seed: int,
        name: str,
        examples: tuple[str, str],
    ) -> None:
        rubric_example, name_example = examples  # shown in the errors
        self.model = resolve_chat_model(model)
        self.rubric = check_text(rubric, "rubric", example=rubric_example)
        self.structured_output = check_structured_output(structured_output)
        self.max_retries = check_retries(max_retries)
        self.shuffle = check_flag(shuffle, "shuffle")
        self.seed = check_seed(seed)
        self.name = check_text(name, "name", example=name_example)

    def ask(self, task: JsonTask[T]) -> T:
        """Ask the one JSON question, re-asking after an unusable reply."""
        return ask_json(
            self.model,
            task,
            structured_output=self.structured_output,
            max_retries=self.max_retries,
        )

    async def aask(self, task: JsonTask[T]) -> T:
        """The asynchronous twin of `ask()`."""
        return await aask_json(
            self.model,
            task,
            structured_output=self.structured_output,
            max_retries=self.max_retries,
        )
