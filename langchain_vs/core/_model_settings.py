"""Model settings: the one resolver for what a face, a persona or a run sets on a chat model.

Every piece that configures someone else's chat model — the chat-model wrapper's
``temperature``/``timeout``/``api_key``, a persona's ``model_settings``, a deployed run's
``model_settings``, the benchmark's arms, the dataset's rate limiter — goes through
[`configured_copy()`][langchain_vs.core.configured_copy]:

* names are checked against the model's own fields and their aliases; an unknown name raises
  ``ValueError`` with a guess, never a silent drop;
* a setting every LangChain chat model has (``rate_limiter``, ``callbacks``, ``tags``…) is set
  on a copy that keeps the model's HTTP client;
* a provider's own setting (``temperature``, ``timeout``, ``max_retries``, ``base_url``,
  ``api_key``, headers…) rebuilds the model through its validation, so the client it builds
  honours the setting (``model_copy`` would keep the client built with the old timeout,
  endpoint and key).

Examples:
    >>> from langchain_core.language_models import GenericFakeChatModel
    >>> fake = GenericFakeChatModel(messages=iter(["Hi"]))
    >>> configured_copy(fake, {"tags": ["vs"]}).tags, fake.tags
    (['vs'], None)
    >>> configured_copy(fake, {"tgas": ["vs"]})
    Traceback (most recent call last):
    ...
    ValueError: unknown model setting 'tgas' for GenericFakeChatModel (did you mean 'tags'?); ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel

from langchain_vs.core._options import did_you_mean

__all__ = ["configured_copy", "resolve_model_settings", "setting_names"]

_COMMON_FIELDS = frozenset(BaseChatModel.model_fields)
"""Settings langchain-core declares for every chat model: none of them configures a client."""
_PLAIN_DATA = (str, int, float, bool, dict, list, tuple)


def setting_names(model: BaseChatModel) -> dict[str, str]:
    """Every name ``model``'s settings go by (field names and aliases), to the field's name."""
    fields = type(model).model_fields
    aliases = {info.alias: name for name, info in fields.items() if info.alias}
    return aliases | {name: name for name in fields}


def resolve_model_settings(
    model: BaseChatModel, settings: Mapping[str, Any], *, owner: str = "model_settings"
) -> dict[str, Any]:
    """``settings`` by ``model``'s field names; a ``None`` value is no setting (left out).

    Args:
        model: The chat model the settings are for.
        settings: Setting names (a field's name or alias) to values.
        owner: What gave the settings, for the error message (e.g. ``"persona 'Ann'"``).

    Raises:
        TypeError: ``settings`` is not a mapping, or a name is not a string.
        ValueError: A name is none of the model's settings (with a guess when one is close).
    """
    if not isinstance(settings, Mapping):
        raise TypeError(
            f"{owner} must be a dict of the model's settings, e.g. {{'temperature': 1.0}}; "
            f"got {type(settings).__name__}"
        )
    names = setting_names(model)
    resolved: dict[str, Any] = {}
    for key, value in settings.items():
        if not isinstance(key, str):
            raise TypeError(f"{owner}: a setting's name must be a string, got {key!r}")
        if value is None:  # keep the model's own
            continue
        if key not in names:
            raise ValueError(
                f"unknown model setting {key!r} for {type(model).__name__}"
                f"{did_you_mean(key, sorted(names))}; {owner} sets the model's own settings "
                "(its fields or their aliases, e.g. temperature, max_tokens): fix the name, or "
                "leave the setting out for a model that does not have it"
            )
        resolved[names[key]] = value
    return resolved


def configured_copy(
    model: BaseChatModel, settings: Mapping[str, Any], *, owner: str = "model_settings"
) -> BaseChatModel:
    """A copy of ``model`` with ``settings`` in force, its client included.

    Args:
        model: Any LangChain chat model; it is left unchanged.
        settings: Setting names (a field's name or alias) to values; ``None`` keeps the model's.
        owner: What gave the settings, for the error message.

    Returns:
        ``model`` itself when nothing is set; a copy when only settings every chat model has
        are set (the HTTP client is shared); else the model rebuilt through its validation.

    Raises:
        TypeError: ``settings`` is not a mapping of names.
        ValueError: An unknown setting (with a guess), or a value the model refuses.
    """
    update = resolve_model_settings(model, settings, owner=owner)
    if not update:
        return model
    if update.keys() <= _COMMON_FIELDS:
        copy = model.model_copy()
        for name, value in update.items():  # checked as the model checks an assignment
            type(model).__pydantic_validator__.validate_assignment(copy, name, value)
        return copy
    return _rebuilt(model, update)


def _rebuilt(model: BaseChatModel, update: dict[str, Any]) -> BaseChatModel:
    """``model`` built anew from the settings it was given, and ``update``.

    Validation fills in some fields itself (a provider's API clients, the model profile); those
    must be built again, not carried over, while the ones the user passed (an ``http_client``,
    ``callbacks``, ``metadata``) are kept. A first build from the plain settings shows which
    is which.
    """
    model_type = type(model)
    fields = model_type.model_fields
    given = {name: getattr(model, name) for name in model.model_fields_set if name in fields}
    plain = {name: value for name, value in given.items() if not fields[name].exclude}
    probe = model_type(**_init_kwargs(model_type, {**plain, **update}))
    built_by_validation = {
        name
        for name in probe.model_fields_set - plain.keys() - update.keys()
        if not isinstance(given.get(name), _PLAIN_DATA)
    }
    kept = {name: value for name, value in given.items() if name not in built_by_validation}
    if kept.keys() == plain.keys():
        return probe
    return model_type(**_init_kwargs(model_type, {**kept, **update}))


def _init_kwargs(model_type: type[BaseChatModel], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` by the names the constructor takes (an alias unless it populates by name)."""
    config = model_type.model_config
    if config.get("populate_by_name") or config.get("validate_by_name"):
        return values
    fields = model_type.model_fields
    return {(fields[name].alias or name): value for name, value in values.items()}
