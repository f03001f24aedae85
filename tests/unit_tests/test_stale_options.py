"""A face's options cannot go stale: an assignment is checked and the next call uses it.

Every face (sampler, chat model, node) is tested the same way, with FAKE chat models (logic
only): the request the model receives and the draw record show the options in force.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import ConfigurableField

from langchain_vs import Persona, VerbalizedChatModel, VerbalizedNode, VerbalizedSampler

from .fake_models import ScriptedFakeChatModel, vs_json

TWO = vs_json([("Tea", 0.6), ("Coffee", 0.4)])


def sampler(model: ScriptedFakeChatModel, **options: Any) -> VerbalizedSampler:
    return VerbalizedSampler(model=model, **options)


def chat_model(model: ScriptedFakeChatModel, **options: Any) -> VerbalizedChatModel:
    return VerbalizedChatModel(model=model, **options)


def node(model: ScriptedFakeChatModel, **options: Any) -> VerbalizedNode:
    return VerbalizedNode(model, **options)


FACES = [sampler, chat_model, node]


def ask(face: Any, runnable: Any = None) -> dict[str, Any]:
    """One call through ``runnable`` (default: the face); the draw record."""
    runnable = face if runnable is None else runnable
    if isinstance(face, VerbalizedNode):
        update = runnable.invoke({"messages": [HumanMessage("A drink?")]})
        record: dict[str, Any] = update["draws"][0]
        return record
    message = runnable.invoke("A drink?")
    assert isinstance(message, AIMessage)
    drawn: dict[str, Any] = message.response_metadata["verbalized_sampling"]
    return drawn


def asked_for(model: ScriptedFakeChatModel) -> str:
    """The instruction the model was last sent."""
    messages: list[BaseMessage] = model.calls[-1]["messages"]
    return messages[0].text


@pytest.mark.parametrize("make", FACES)
def test_an_assigned_option_is_in_force_for_the_next_call(make: Callable[..., Any]) -> None:
    model = ScriptedFakeChatModel(replies=[TWO])
    face = make(model, k=3)
    assert ask(face)["k"] == 3 and "Sample 3 " in asked_for(model)
    face.k = 7
    face.selection = "argmax"
    record = ask(face)
    assert (record["k"], record["selection"]) == (7, "argmax")
    assert "Sample 7 " in asked_for(model)


@pytest.mark.parametrize("make", FACES)
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("k", "x", "valid integer"),
        ("k", 0, "greater than or equal to 1"),
        ("k", 10_000, "less than or equal to 50"),
        ("k", True, "valid integer"),
        ("selection", "argmaxx", "'argmax'"),
        ("per_turn", 9, "per_turn must be between 1 and k=3"),
        ("min_probability", 1.5, "less than or equal to 1"),
        ("selection", "best", "pass scorer="),
        ("tilt", 0.5, "pass scorer="),
        ("tilt", -1.0, "greater than 0"),
        ("min_score", 0.5, "pass scorer="),
        ("utility", "lexcal", "did you mean 'lexical'"),
    ],
)
def test_a_bad_assignment_is_refused_and_the_face_unchanged(
    make: Callable[..., Any], name: str, value: Any, message: str
) -> None:
    model = ScriptedFakeChatModel(replies=[TWO])
    face = make(model, k=3)
    before = getattr(face, name)
    with pytest.raises(ValueError, match=message):
        setattr(face, name, value)
    assert getattr(face, name) == before
    assert ask(face)["k"] == 3 and "Sample 3 " in asked_for(model)


@pytest.mark.parametrize("make", FACES)
def test_a_misspelt_option_is_refused(make: Callable[..., Any]) -> None:
    face = make(ScriptedFakeChatModel(replies=[TWO]), k=3)
    with pytest.raises(ValueError, match="kk"):
        face.kk = 7


@pytest.mark.parametrize("make", FACES)
def test_copies_configurable_fields_and_bindings_follow_the_options(
    make: Callable[..., Any],
) -> None:
    model = ScriptedFakeChatModel(replies=[TWO])
    face = make(model, k=3)
    assert ask(face.model_copy(update={"k": 4}))["k"] == 4
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        face.model_copy(update={"k": 0})
    configurable = face.configurable_fields(k=ConfigurableField(id="vs_k"))
    assert ask(face, configurable.with_config(configurable={"vs_k": 2}))["k"] == 2
    assert ask(face, configurable)["k"] == 3
    bound = face.with_config(tags=["t"])
    face.k = 5
    assert ask(face, bound)["k"] == 5  # a binding calls the face as it is now
    assert ask(face, face.bind())["k"] == 5
    assert face.model_copy()._engine is face._engine  # a plain copy shares the engine


class GatedFakeChatModel(ScriptedFakeChatModel):
    """FAKE whose calls wait until the test opens the gate (to assign mid-flight)."""

    def _next(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        reply = super()._next(messages, kwargs)
        self.entered.set()
        assert self.gate.wait(timeout=30), "the test never opened the gate"
        return reply

    entered: Any = None
    gate: Any = None


@pytest.mark.parametrize("make", FACES)
def test_an_assignment_mid_flight_leaves_the_running_call_alone(
    make: Callable[..., Any],
) -> None:
    model = GatedFakeChatModel(replies=[TWO], entered=threading.Event(), gate=threading.Event())
    face = make(model, k=3)
    records: list[dict[str, Any]] = []
    running = threading.Thread(target=lambda: records.append(ask(face)))
    running.start()
    assert model.entered.wait(timeout=30)
    face.k = 6  # while the call waits for its reply
    model.gate.set()
    running.join(timeout=30)
    assert records[0]["k"] == 3  # the call that was running finished with its own options
    assert ask(face)["k"] == 6


def test_a_persona_s_own_option_cannot_be_overwritten_on_its_node() -> None:
    persona = Persona(name="Ann", description="A nurse.", k=2)
    face = VerbalizedNode(ScriptedFakeChatModel(replies=[TWO]), persona, k=5)
    with pytest.raises(ValueError, match="persona 'Ann' sets k=2, and a persona's own options"):
        face.k = 4
    assert face.k == 2 and ask(face)["k"] == 2
    face.seed = 3  # an option the persona leaves to the node
    assert ask(face)["seed"] == 3
    other = face.model_copy(update={"persona": persona.model_copy(update={"k": 4})})
    assert other.k == 4 and ask(other)["k"] == 4


def test_a_chat_model_s_settings_follow_assignment() -> None:
    from .fake_models import SettingsFakeChatModel

    face = VerbalizedChatModel(model=SettingsFakeChatModel(replies=[TWO]), k=3, timeout=5)
    face.timeout = 9
    face.max_tokens = 10
    inner = face.inner_model()
    assert (inner.timeout, inner.max_tokens) == (9, 3 * 60)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="timeout"):
        face.timeout = "soon"  # type: ignore[assignment]
    assert face.inner_model().timeout == 9  # type: ignore[attr-defined]


def test_a_chat_model_builds_its_engine_once_per_change(monkeypatch: pytest.MonkeyPatch) -> None:
    # BaseChatModel's profile validator assigned `profile` on every validation; under
    # validate_assignment that re-ran every validator until a swallowed RecursionError: ~400
    # engine builds (1.4 s) for one construction or one assignment.
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    from langchain_vs.runnables import _chat_model

    builds: list[object] = []
    real = _chat_model.configured_copy

    def counted(*args: Any, **kwargs: Any) -> Any:
        builds.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(_chat_model, "configured_copy", counted)
    face = chat_model(ScriptedFakeChatModel(replies=[TWO]), k=3)
    # Two: BaseLanguageModel.model_post_init assigns metadata = {} (the versions for tracing).
    assert len(builds) == 2
    face.k = 4
    assert len(builds) == 3
    assert face.profile is None  # the fake model has none to give

    profiled = GenericFakeChatModel(messages=iter([]), profile={"max_input_tokens": 8192})
    face.model = profiled
    assert len(builds) == 4
    assert face.profile == {"max_input_tokens": 8192}  # the wrapped model's, following it
    own = VerbalizedChatModel(model=profiled, profile={"max_input_tokens": 10})
    assert own.profile == {"max_input_tokens": 10}
