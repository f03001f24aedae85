"""What a deployed graph's runs may ask for: the model settings a run may send, and caps.

A run's ``configurable`` comes from whoever can reach the server, and what it sets goes to the
operator's endpoint with the operator's key. So the operator decides, through the server's
environment (``langgraph.json``'s ``env``, or the container's environment), which model settings
a run may send and how big a run may be; everything else is refused by name before the graph is
built, so before any model call:

==============================  ================================================================
environment                     default
==============================  ================================================================
``LANGCHAIN_VS_RUN_SETTINGS``   ``temperature,top_p,seed,frequency_penalty,presence_penalty,``
                                ``max_tokens`` (comma-separated names; ``none`` allows none)
``LANGCHAIN_VS_MAX_PERSONAS``   20 personas per run
``LANGCHAIN_VS_MAX_TURNS``      50 turns (``max_turns``)
``LANGCHAIN_VS_MAX_K``          10 candidates per turn (``k``, a persona's ``k`` too)
``LANGCHAIN_VS_MAX_TOKENS``     2048 tokens per model call: the highest ``max_tokens`` a run may
                                set, and the model's own when it has none or a higher one
==============================  ================================================================

An unset or empty variable takes its default. A bad value (not a whole number, below what a
run gets when it sets nothing, a name the model does not have) is a ``ValueError`` at the first
run, naming the variable.

Examples:
    >>> limits = RunLimits.from_environment({"LANGCHAIN_VS_MAX_TURNS": "100"})
    >>> limits.max_turns, limits.max_k, limits.run_settings[:2]
    (100, 10, ('temperature', 'top_p'))
    >>> RunLimits.from_environment({"LANGCHAIN_VS_MAX_K": "lots"})
    Traceback (most recent call last):
    ...
    ValueError: LANGCHAIN_VS_MAX_K='lots' must be a whole number from 1 to 50 (unset: 10)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_vs.core import (
    MAX_K,
    configured_copy,
    did_you_mean,
    resolve_model_settings,
    setting_names,
)

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = [
    "DEFAULT_RUN_SETTINGS",
    "MAX_K_ENV",
    "MAX_PERSONAS_ENV",
    "MAX_TOKENS_ENV",
    "MAX_TURNS_ENV",
    "RUN_SETTINGS_ENV",
    "RunLimits",
]

RUN_SETTINGS_ENV = "LANGCHAIN_VS_RUN_SETTINGS"
"""The model settings a run's ``model_settings`` may send, comma-separated."""
MAX_PERSONAS_ENV = "LANGCHAIN_VS_MAX_PERSONAS"
MAX_TURNS_ENV = "LANGCHAIN_VS_MAX_TURNS"
MAX_K_ENV = "LANGCHAIN_VS_MAX_K"
MAX_TOKENS_ENV = "LANGCHAIN_VS_MAX_TOKENS"

DEFAULT_RUN_SETTINGS = (
    "temperature",
    "top_p",
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "max_tokens",
)
"""Sampling settings only: the model, ``n``, headers, body extras and client settings (endpoint,
key, timeout, retries) stay the operator's."""
_NO_SETTINGS = "none"
_TOKENS = "max_tokens"


@dataclass(frozen=True)
class RunLimits:
    """The operator's limits on a deployed graph's runs (see the module's table).

    Attributes:
        run_settings: The model settings a run may send (names or aliases of the model's fields).
        max_personas: Personas per run.
        max_turns: The highest ``max_turns``.
        max_k: The highest ``k``, the run's and each persona's.
        max_tokens: The highest ``max_tokens`` per model call.
    """

    run_settings: tuple[str, ...] = DEFAULT_RUN_SETTINGS
    max_personas: int = 20
    max_turns: int = 50
    max_k: int = 10
    max_tokens: int = 2048

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, *, floors: Mapping[str, int] | None = None
    ) -> RunLimits:
        """The limits the environment sets (``os.environ`` by default); the defaults otherwise.

        Args:
            environ: The environment to read.
            floors: The smallest value each cap's variable may take (by the variable's name):
                what a run gets when it sets nothing, which a cap must not refuse.

        Raises:
            ValueError: A variable's value is not what it takes (the message names it).
        """
        env = os.environ if environ is None else environ
        floors = floors or {}
        defaults = cls()
        run_settings = defaults.run_settings
        if names := (env.get(RUN_SETTINGS_ENV) or "").strip():
            given = [name.strip() for name in names.split(",") if name.strip()]
            run_settings = () if given == [_NO_SETTINGS] else tuple(dict.fromkeys(given))
        caps = {
            field: _whole_number(
                env, name, floors.get(name, 1), MAX_K if name == MAX_K_ENV else None, default
            )
            for field, name, default in (
                ("max_personas", MAX_PERSONAS_ENV, defaults.max_personas),
                ("max_turns", MAX_TURNS_ENV, defaults.max_turns),
                ("max_k", MAX_K_ENV, defaults.max_k),
                ("max_tokens", MAX_TOKENS_ENV, defaults.max_tokens),
            )
        }
        return cls(run_settings=run_settings, **caps)

    def check_size(
        self, *, personas: int = 0, max_turns: int = 0, ks: Iterable[tuple[str, int]] = ()
    ) -> None:
        """Refuse a run bigger than the caps.

        Args:
            personas: How many personas the run has.
            max_turns: Its ``max_turns``.
            ks: ``(what, k)`` for the run's ``k`` and each persona's own.

        Raises:
            ValueError: Over a cap: the message names the setting, the cap and its variable.
        """
        _at_most("personas", personas, self.max_personas, MAX_PERSONAS_ENV, unit=" personas")
        _at_most("max_turns", max_turns, self.max_turns, MAX_TURNS_ENV)
        for what, k in ks:
            _at_most(what, k, self.max_k, MAX_K_ENV)

    def bounded_model(self, model: BaseChatModel) -> BaseChatModel:
        """``model`` with ``max_tokens`` at most the cap (the cap if it has none).

        A model without a ``max_tokens`` setting is returned as it is.
        """
        field = setting_names(model).get(_TOKENS)
        if field is None:
            return model
        own = getattr(model, field, None)
        if isinstance(own, int) and own <= self.max_tokens:
            return model
        return configured_copy(model, {field: self.max_tokens}, owner=MAX_TOKENS_ENV)

    def allowed_settings(self, model: BaseChatModel) -> frozenset[str]:
        """The field names of ``model`` that runs may set.

        Raises:
            ValueError: ``$LANGCHAIN_VS_RUN_SETTINGS`` names a setting ``model`` does not have.
        """
        names = setting_names(model)
        if self.run_settings == DEFAULT_RUN_SETTINGS:  # the default list: what the model has
            return frozenset(names[n] for n in self.run_settings if n in names)
        for name in self.run_settings:
            if name not in names:
                raise ValueError(
                    f"{RUN_SETTINGS_ENV} names {name!r}, which is not a setting of "
                    f"{type(model).__name__}{did_you_mean(name, sorted(names))}; it takes "
                    f"comma-separated names of the model's settings, or {_NO_SETTINGS!r}"
                )
        return frozenset(names[n] for n in self.run_settings)

    def run_model_settings(
        self, model: BaseChatModel, settings: Mapping[str, Any], *, owner: str
    ) -> dict[str, Any]:
        """``settings`` from a run, by ``model``'s field names, if each is allowed and in bounds.

        A setting is refused by the field it names, whichever alias the run used, and even
        with a ``None`` value.

        Args:
            model: The deployed model.
            settings: The run's (or a persona's) ``model_settings``.
            owner: What gave them, for the message (e.g. ``"persona 'Ann''s model_settings"``).

        Raises:
            TypeError: ``settings`` is not a mapping of names.
            ValueError: An unknown setting (with a guess), one the operator does not allow
                (naming the allowed ones), or ``max_tokens`` over the cap.
        """
        allowed = self.allowed_settings(model)
        names = setting_names(model)
        if not isinstance(settings, Mapping):
            resolve_model_settings(model, settings, owner=owner)  # raises the TypeError
        for key in settings:
            if not isinstance(key, str) or key not in names:
                resolve_model_settings(model, {key: key}, owner=owner)  # raises, with a guess
            if names[key] not in allowed:
                shown = ", ".join(n for n in self.run_settings if n in names) or "none"
                raise ValueError(
                    f"{owner} sets {key!r}, which this deployment does not let a run set; "
                    f"allowed: {shown} (the operator sets the list with {RUN_SETTINGS_ENV})"
                )
        resolved = resolve_model_settings(model, settings, owner=owner)
        tokens = resolved.get(names.get(_TOKENS, _TOKENS))
        if tokens is not None:
            if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 1:
                raise ValueError(
                    f"{owner}: max_tokens must be a whole number from 1 to {self.max_tokens}, "
                    f"got {tokens!r}"
                )
            _at_most(f"{owner}: max_tokens", tokens, self.max_tokens, MAX_TOKENS_ENV)
        return resolved


def _at_most(what: str, value: int, cap: int, variable: str, *, unit: str = "") -> None:
    if value > cap:
        raise ValueError(
            f"{what}: {value}{unit} is over this deployment's cap of {cap} (the operator "
            f"raises it with {variable})"
        )


def _whole_number(
    env: Mapping[str, str], name: str, smallest: int, largest: int | None, default: int
) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    bounds = f"from {smallest} to {largest}" if largest else f"of at least {smallest}"
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < smallest or (largest is not None and value > largest):
        raise ValueError(f"{name}={raw!r} must be a whole number {bounds} (unset: {default})")
    return value
