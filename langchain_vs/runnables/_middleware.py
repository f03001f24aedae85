"""Verbalized Sampling as middleware for LangChain's ``create_agent``: VS draws the final answers.

Examples:
    >>> from langchain.agents import create_agent
    >>> from langchain_core.language_models import GenericFakeChatModel
    >>> fake = GenericFakeChatModel(messages=iter([
    ...     '{"responses": [{"text": "Tea", "probability": 0.7},'
    ...     ' {"text": "Coffee", "probability": 0.3}]}']))
    >>> agent = create_agent(fake, middleware=[
    ...     VerbalizedSamplingMiddleware(k=2, selection="argmax")])
    >>> answer = agent.invoke({"messages": [("human", "A hot drink?")]})["messages"][-1]
    >>> answer.content, answer.response_metadata["verbalized_sampling"]["k"]
    ('Tea', 2)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any, ClassVar

from langchain_core.callbacks import adispatch_custom_event, dispatch_custom_event
from langchain_core.messages import AIMessage, AnyMessage
from langchain_core.messages.ai import add_usage
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import (
    get_callback_manager_for_config,
    var_child_runnable_config,
)
from langchain_core.tools import BaseTool
from pydantic import PrivateAttr, model_validator

from langchain_vs.core import (
    FACE_MODEL_CONFIG,
    METADATA_KEY,
    Draw,
    VerbalizedConfig,
    VerbalizedEngine,
    model_call_config,
)
from langchain_vs.runnables._sampler import DISTRIBUTION_EVENT

INSTALL_AGENTS = 'pip install "langchain-vs[agents]"'
_NEEDS = (1, 5)
"""The first langchain release whose middleware API this face is written against."""

try:
    from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
    from langchain.agents.middleware.types import AgentState
    from langchain.agents.structured_output import (
        AutoStrategy,
        ProviderStrategy,
        StructuredOutputError,
        ToolStrategy,
    )
except ImportError as error:  # a langchain older than 1.0 (forced past the core pin)
    raise ImportError(
        f"VerbalizedSamplingMiddleware needs langchain>=1.5 (create_agent middleware): "
        f"{INSTALL_AGENTS}"
    ) from error

__all__ = ["INSTALL_AGENTS", "VerbalizedSamplingMiddleware"]


def _require_langchain() -> None:
    installed = version("langchain")
    try:
        release = tuple(int(part) for part in installed.split(".")[:2])
    except ValueError:  # a local or pre-release tag: let it try
        return
    if release < _NEEDS:
        raise ImportError(
            f"VerbalizedSamplingMiddleware needs langchain>=1.5, and {installed} is installed: "
            f"{INSTALL_AGENTS}"
        )


def _schema_of(response_format: Any) -> Any:
    """The schema a ``create_agent`` ``response_format`` asks for (a raw schema as it is)."""
    if isinstance(response_format, ToolStrategy | ProviderStrategy | AutoStrategy):
        return response_format.schema
    return response_format


def _in_a_run(config: RunnableConfig) -> bool:
    """Whether a run is there to receive custom events (called outside an agent, none is)."""
    return get_callback_manager_for_config(config).parent_run_id is not None


@contextmanager
def _quiet() -> Iterator[RunnableConfig]:
    """Tag the model calls made inside ``nostream``: out of ``stream_mode="messages"``.

    A probe's text answer is replaced by the draw and the VS call's reply is raw JSON; neither
    is what the agent says, so neither may be streamed as its message. The agent's own call
    reads the config from the context, hence the context variable.
    """
    quiet = model_call_config(None)  # the context's config, tagged as the engine tags its own
    token = var_child_runnable_config.set(quiet)
    try:
        yield quiet
    finally:
        var_child_runnable_config.reset(token)


class VerbalizedSamplingMiddleware(VerbalizedConfig, AgentMiddleware[AgentState[Any], Any, Any]):
    """``create_agent`` middleware: the agent's final answers are drawn by Verbalized Sampling.

    Takes the VS options of [`VerbalizedConfig`][langchain_vs.core.VerbalizedConfig] (``k``,
    ``method``,
    ``seed``, ``selection``, ...; keyword-only, strictly checked) and no model: each draw asks
    the agent's own model (``request.model``, so a model another middleware swaps in is used
    too) with the agent's system prompt and messages.

    * **Tool-calling turns pass through untouched.** With tools bound, the agent's model call
      runs first, as without the middleware; a reply with tool calls is returned as it is. A
      reply without tool calls (a final answer) is replaced by a VS draw over the same
      messages: one extra model call per final answer, its token usage added to the answer's.
    * **Without tools** no tool call can come, so the plain call is skipped and the VS call is
      the model call: the same number of calls as without the middleware.
    * **The draw record** rides in ``response_metadata["verbalized_sampling"]`` of the answer,
      written to ``stream_mode="custom"`` as ``{"type": "verbalized_sampling", **record}``
      (what a persona node writes: one type for every VS draw in a graph's custom stream), and
      dispatched to ``astream_events`` as the sampler's ``DISTRIBUTION_EVENT``. The VS
      call is not streamed (a model that reports token usage only when asked to would then
      report none), so candidates are not sent one by one: the record holds them all.
    * **Streaming**: the answer reaches ``stream_mode="messages"`` whole when the model step
      ends; the model calls inside are tagged ``nostream`` (a probe's answer is discarded, the
      VS reply is JSON), so with tools bound tool-calling turns also arrive whole.
    * **``response_format``** (a pydantic model, ``TypedDict`` or JSON-schema dict, raw or in
      ``ToolStrategy``/``ProviderStrategy``): the structured response is drawn from a VS
      distribution over objects of that schema (structured candidates); the answer's content is
      the object's JSON and ``structured_response`` the object. Schemas VS cannot draw (a
      ``Union`` of types, a dataclass) raise ``ValueError`` at the first model call.

    List it last in ``middleware=[...]``: the others then wrap it (retries, fallbacks, a
    model swap apply to the VS call too), while middleware listed after it would see only the
    tool-calling call.

    Examples:
        ```python
        from langchain.agents import create_agent
        from langchain_vs import VerbalizedSamplingMiddleware, local_chat_model

        agent = create_agent(
            local_chat_model(), middleware=[VerbalizedSamplingMiddleware(k=5, seed=1)]
        )
        reply = agent.invoke({"messages": [("human", "Name a color.")]})["messages"][-1]
        ```
    """

    model_config = FACE_MODEL_CONFIG

    # AgentMiddleware's annotated class attributes, redeclared as ClassVars: pydantic would
    # take them for options (and mypy objects to the redeclaration, hence the ignores).
    state_schema: ClassVar[type[Any]]  # type: ignore[misc]
    tools: ClassVar[Sequence[BaseTool]] = ()  # type: ignore[misc]
    trace_policy: ClassVar[Any]  # type: ignore[misc]
    transformers: ClassVar[Sequence[Any]]  # type: ignore[misc]

    _config: VerbalizedConfig = PrivateAttr()

    def __init__(self, **options: Any) -> None:
        _require_langchain()
        super().__init__(**options)

    @model_validator(mode="after")
    def _freeze(self) -> VerbalizedSamplingMiddleware:
        # Runs at construction and on every assignment: the next call uses the new options.
        if self.candidate_schema is not None:
            raise ValueError(
                "VerbalizedSamplingMiddleware takes no schema=: give the schema to "
                "create_agent(response_format=...), and the structured response is drawn by VS"
            )
        self._config = self.frozen_options()
        return self

    # -- one request --------------------------------------------------------------------------

    def _engine(self, request: ModelRequest[Any]) -> VerbalizedEngine:
        """An engine over the request's model, with the response format's schema if any.

        Built per request: the agent's model is known only then, and middleware may swap it.
        """
        config = self._config  # one configuration for the whole call
        if request.response_format is not None:
            schema = _schema_of(request.response_format)
            try:
                config = config.model_copy(update={"candidate_schema": schema})
            except ValueError as error:
                raise ValueError(
                    f"VerbalizedSamplingMiddleware cannot draw response_format {schema!r}: VS "
                    "draws objects of one pydantic model, TypedDict or JSON-schema dict (a "
                    "Union of types or a dataclass is not one; a JSON schema with oneOf is). "
                    f"{error}"
                ) from error
        return VerbalizedEngine(request.model, config)

    @staticmethod
    def _messages(request: ModelRequest[Any]) -> list[AnyMessage]:
        system = request.system_message
        return [system, *request.messages] if system is not None else list(request.messages)

    @staticmethod
    def _final_reply(response: ModelResponse[Any]) -> AIMessage | None:
        """The reply if it is a final answer; ``None`` for a tool-calling turn.

        Under ``ToolStrategy`` the answer is itself a tool call: a structured response marks it.
        """
        reply = next((m for m in response.result if isinstance(m, AIMessage)), None)
        if reply is None or (reply.tool_calls and response.structured_response is None):
            return None
        return reply

    @staticmethod
    def _answer(
        draw: Draw, engine: VerbalizedEngine, probe: AIMessage | None, config: RunnableConfig
    ) -> ModelResponse[Any]:
        message = draw.message()
        if probe is not None:  # the call that answered without tool calls counts too
            message.usage_metadata = add_usage(message.usage_metadata, probe.usage_metadata)
        # Named after the agent, as create_agent names its model's replies.
        message.name = (probe.name if probe is not None else None) or config.get(
            "metadata", {}
        ).get("lc_agent_name")
        structured = draw.chosen.value if engine.config.candidate_schema is not None else None
        return ModelResponse(result=[message], structured_response=structured)

    # -- wrap_model_call / awrap_model_call -------------------------------------------------

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> ModelResponse[Any]:
        """Pass tool-calling turns through; draw final answers by VS (see the class doc)."""
        engine = self._engine(request)
        probe: AIMessage | None = None
        with _quiet() as config:
            if request.tools:
                try:
                    response = handler(request)
                except StructuredOutputError as error:  # an answer that did not parse
                    probe = error.ai_message
                else:
                    if (probe := self._final_reply(response)) is None:
                        return response
            draw = engine.invoke(self._messages(request), config, **request.model_settings)
        self._announce(request, draw, config)
        return self._answer(draw, engine, probe, config)

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse[Any]]],
    ) -> ModelResponse[Any]:
        """The asynchronous twin of `wrap_model_call()`."""
        engine = self._engine(request)
        probe: AIMessage | None = None
        with _quiet() as config:
            if request.tools:
                try:
                    response = await handler(request)
                except StructuredOutputError as error:  # an answer that did not parse
                    probe = error.ai_message
                else:
                    if (probe := self._final_reply(response)) is None:
                        return response
            draw = await engine.ainvoke(self._messages(request), config, **request.model_settings)
        await self._aannounce(request, draw, config)
        return self._answer(draw, engine, probe, config)

    # -- events -------------------------------------------------------------------------------

    @staticmethod
    def _announce(request: ModelRequest[Any], draw: Draw, config: RunnableConfig) -> None:
        if request.runtime is not None:
            request.runtime.stream_writer({"type": METADATA_KEY, **draw.record})
        if _in_a_run(config):
            dispatch_custom_event(DISTRIBUTION_EVENT, draw.record, config=config)

    @staticmethod
    async def _aannounce(request: ModelRequest[Any], draw: Draw, config: RunnableConfig) -> None:
        if request.runtime is not None:
            request.runtime.stream_writer({"type": METADATA_KEY, **draw.record})
        if _in_a_run(config):
            await adispatch_custom_event(DISTRIBUTION_EVENT, draw.record, config=config)
