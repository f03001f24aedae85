"""Reading finished or running simulations: who said what, at which turn, in which simulation.

The simulation metrics and the outcome comparison both take "one simulation or many", given as
states (``PersonaSimulationState`` dicts, or JSON from LangGraph Server with message dicts) or
as checkpoint snapshots (``app.get_state(config)``, labelled by their thread id). This module
turns them into labelled simulations and checks them once, so every error names the simulation.

Examples:
    >>> from langchain_core.messages import AIMessage, HumanMessage
    >>> state = {"messages": [HumanMessage("Cars?", name="moderator"),
    ...                       AIMessage("Ban them.", name="Ada")]}
    >>> (simulation,) = read_simulations(state)
    >>> simulation.label, [(line.turn, line.persona, line.text) for line in simulation.lines]
    ('simulation 0', [(0, 'Ada', 'Ban them.')])
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import convert_to_messages

__all__ = ["Line", "Simulation", "read_simulations"]


@dataclass(frozen=True, slots=True)
class Line:
    """One persona line: its turn (0-based, persona lines only), speaker and text."""

    turn: int
    persona: str
    text: str


@dataclass(frozen=True, slots=True)
class Simulation:
    """One simulation's state, its label for messages (index or thread id), and its lines."""

    label: str
    state: Mapping[str, Any]
    lines: tuple[Line, ...]


def _unpack(item: Any, index: int) -> tuple[str, Mapping[str, Any]]:
    values = getattr(item, "values", None)  # a LangGraph StateSnapshot
    if isinstance(values, Mapping) and not isinstance(item, Mapping):
        configurable = (getattr(item, "config", None) or {}).get("configurable") or {}
        thread = configurable.get("thread_id")
        return (f"thread {thread!r}" if thread is not None else f"simulation {index}"), values
    if isinstance(item, Mapping):
        return f"simulation {index}", item
    raise TypeError(
        f"simulation {index} is a {type(item).__name__}; give a simulation's state (a dict with "
        "'messages') or its checkpoint snapshot (app.get_state(config))"
    )


def _lines(label: str, state: Mapping[str, Any], personas: Collection[str] | None) -> list[Line]:
    if "messages" not in state:
        raise ValueError(f"{label} has no 'messages': give the simulation's state, not its config")
    try:
        messages = convert_to_messages(state["messages"] or [])
    except (ValueError, TypeError, NotImplementedError) as error:
        raise ValueError(f"{label}: its messages are not chat messages ({error})") from error
    lines: list[Line] = []
    for message in messages:
        if message.type != "ai":  # the moderator's opening and other human turns
            continue
        if personas is not None and message.name not in personas:
            raise ValueError(
                f"{label}: line {len(lines)} is spoken by {message.name!r}, not one of the "
                f"personas {sorted(personas)}; pass the personas the simulation ran with"
            )
        lines.append(Line(len(lines), str(message.name), message.text))
    return lines


def read_simulations(
    states: Any, personas: Collection[str] | None = None, *, need_lines: bool = True
) -> list[Simulation]:
    """The simulations in ``states``: one state or snapshot, or a sequence of them.

    Args:
        states: A state dict (with ``messages``), a ``StateSnapshot``, or a list of either.
        personas: The persona names every AI line must be spoken by; ``None`` accepts any.
        need_lines: Whether a simulation without a persona line yet is an error.

    Raises:
        ValueError: No simulation, a state without ``messages``, a line by someone who is not
            a persona, or (``need_lines``) a simulation with no persona line yet; each message
            names the simulation.
        TypeError: Something that is neither a state nor a snapshot.
    """
    snapshot = hasattr(states, "values") and hasattr(states, "config")
    if isinstance(states, Mapping) or snapshot:
        items: Sequence[Any] = [states]
    elif isinstance(states, Sequence) and not isinstance(states, str | bytes):
        items = states
    else:
        raise TypeError(
            "states must be a simulation's state, its checkpoint snapshot, or a list of them, "
            f"got {type(states).__name__}"
        )
    if not items:
        raise ValueError("no simulations given: pass at least one simulation's state")
    simulations = []
    for index, item in enumerate(items):
        label, state = _unpack(item, index)
        lines = _lines(label, state, personas)
        if need_lines and not lines:
            raise ValueError(f"{label} has no persona lines yet: run it before measuring it")
        simulations.append(Simulation(label, state, tuple(lines)))
    return simulations
