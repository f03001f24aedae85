"""Structured candidates: the user's schema, as VS asks for, validates and prints its objects.

A schema is a pydantic (v2) model class, a ``TypedDict`` or a JSON-schema dict.
[`CandidateSchema`][langchain_vs.core.CandidateSchema] wraps any of them behind one interface: the
JSON schema the model is
shown (and that structured output enforces), validation of one candidate object (a pydantic
instance for a pydantic schema, a dict otherwise), and the canonical JSON text that stands for
the object wherever a text is needed (metrics, merging, dedup, markdown).

Examples:
    >>> from pydantic import BaseModel
    >>> class Pet(BaseModel):
    ...     name: str
    ...     legs: int
    >>> pets = CandidateSchema.of(Pet)
    >>> pets.validate({"legs": 4, "name": "Rex"})
    Pet(name='Rex', legs=4)
    >>> pets.canonical_text(Pet(name="Rex", legs=4))
    '{"legs":4,"name":"Rex"}'
"""

from __future__ import annotations

import copy
import inspect
import json
import types
import typing
from collections.abc import Iterator
from typing import Annotated, Any, get_args, get_origin, get_type_hints
from urllib.parse import unquote

import typing_extensions
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from typing_extensions import is_typeddict

from langchain_vs.core._nesting import nests_deeper_than

__all__ = ["MAX_DEPTH", "CandidateSchema", "CandidateTooDeepError"]

_SHOWN_ERRORS = 3

MAX_DEPTH = 60
"""How deep one candidate may nest objects and arrays (a flat object is 1 level).

The JSON reader reads 64 levels (``core/parsing/_json_text.py``) and the VS wrapper around a
candidate takes at most 3 (``{"responses": [{"value": ...}]}``), so every method reads a
candidate this deep whole; a deeper one is dropped as invalid (repair ``dropped_too_deep``).
"""

_ROOT_NAME = "VSCandidate"
"""The ``$defs`` name a schema's root moves to when its own references point at it."""

# JSON-schema keywords whose values are schemas: maps of them, lists of them, or one.
_SCHEMA_MAPS = (
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependencies",  # draft 7: a schema or a list of names per key (the lists are skipped)
)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = (
    "items",
    "additionalItems",
    "additionalProperties",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
)
_DEFINITIONS = ("$defs", "definitions")


_REQUIRED_MARKS = {
    typing.Required,
    typing.NotRequired,
    typing_extensions.Required,
    typing_extensions.NotRequired,
}


def _typed_dict_json_schema(typed_dict: Any) -> dict[str, Any]:
    """The JSON schema of a ``TypedDict``, as written.

    Its required and optional keys (``total=False``, ``Required``, ``NotRequired``), its own
    docstring as description (none inherited), and LangChain's
    ``Annotated[type, default, "description"]``.

    Raises:
        TypeError: The ``TypedDict`` refers to itself (use a pydantic model for recursion), or
            names a type that cannot be found.
    """
    return TypeAdapter(_as_pydantic_typed_dict(typed_dict, building=set())).json_schema()


def _as_pydantic_typed_dict(typed_dict: Any, building: set[Any]) -> Any:
    """The same ``TypedDict`` rebuilt for pydantic, nested ``TypedDict`` s rebuilt too.

    As a ``typing_extensions.TypedDict``: pydantic refuses Python 3.11's ``typing.TypedDict``.
    """
    if typed_dict in building:
        raise TypeError(
            f"TypedDict {typed_dict.__name__} refers to itself: recursive TypedDicts are not "
            "supported as candidate schemas; use a pydantic model (or a JSON-schema dict)"
        )
    try:
        hints = get_type_hints(typed_dict, include_extras=True)
    except NameError as error:
        raise TypeError(
            f"cannot read the annotations of TypedDict {typed_dict.__name__} ({error}): define "
            "the types it names where it is defined (e.g. at module level)"
        ) from error
    building.add(typed_dict)
    fields: dict[str, Any] = {}
    for name, hint in hints.items():
        while get_origin(hint) in _REQUIRED_MARKS:  # the key's status is __required_keys__'s
            (hint,) = get_args(hint)
        if get_origin(hint) is Annotated:
            base, *extras = get_args(hint)
            # LangChain's convention: Annotated[type, default, "description"]; pydantic
            # ignores the default and the string, and keeps its own metadata (Field(ge=0)).
            if len(extras) > 1 and isinstance(extras[1], str):
                extras.insert(0, Field(description=extras[1]))
            hint = Annotated[(_rebuilt(base, building), *extras)]
        else:
            hint = _rebuilt(hint, building)
        mark = (
            typing_extensions.Required
            if name in typed_dict.__required_keys__
            else typing_extensions.NotRequired
        )
        fields[name] = mark[hint]
    building.discard(typed_dict)
    rebuilt: Any = typing_extensions.TypedDict(typed_dict.__name__, fields)  # type: ignore[misc]
    own_doc = typed_dict.__dict__.get("__doc__")
    rebuilt.__doc__ = inspect.cleandoc(own_doc) if own_doc else None
    return rebuilt


def _rebuilt(hint: Any, building: set[Any]) -> Any:
    """``hint`` with every ``TypedDict`` in it rebuilt by `_as_pydantic_typed_dict()`."""
    if is_typeddict(hint):
        return _as_pydantic_typed_dict(hint, building)
    origin, args = get_origin(hint), get_args(hint)
    if origin is None or not args or origin is typing.Literal:
        return hint
    rebuilt = tuple(_rebuilt(arg, building) for arg in args)
    if rebuilt == args:
        return hint
    if origin is Annotated:
        return Annotated[(rebuilt[0], *args[1:])]
    if origin in (typing.Union, types.UnionType):
        return typing.Union[rebuilt]  # noqa: UP007
    return origin[rebuilt]


def _is_pydantic_v1_model(schema: Any) -> bool:
    try:
        from pydantic import v1
    except ImportError:  # pragma: no cover - pydantic v2 always ships it
        return False
    return isinstance(schema, type) and issubclass(schema, v1.BaseModel)


class CandidateTooDeepError(ValueError):
    """A candidate nests objects and arrays deeper than `MAX_DEPTH`."""


def _subschemas(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every (sub)schema in ``schema``, itself first; values of ``const``, ``enum`` etc. are not."""
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield node
        for key in _SCHEMA_MAPS:
            if isinstance(children := node.get(key), dict):
                stack.extend(children.values())
        for key in (*_SCHEMA_LISTS, *_SCHEMA_ONE):
            child = node.get(key)
            stack.extend(child if isinstance(child, list) else [child])


def _resolver(schema: dict[str, Any]) -> Any:
    """A ``referencing`` resolver for references inside ``schema`` (its root is ``#``)."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    base = "urn:langchain-vs:candidate"
    resource = Resource.from_contents(schema, default_specification=DRAFT202012)
    return Registry().with_resource(base, resource).resolver(base_uri=base)


def _check_references(schema: dict[str, Any], resolver: Any) -> None:
    """Refuse references that do not resolve inside ``schema``, before any call.

    Raises:
        ValueError: A ``$ref`` that points outside the schema or at nothing in it, a nested
            ``$id`` (it would move where references point), or a dynamic reference.
    """
    from referencing.exceptions import Unresolvable

    for node in _subschemas(schema):
        if node is not schema and "$id" in node:
            raise ValueError(
                f"schema has a nested $id ({node['$id']!r}): it is not supported, since the "
                "schema is nested in VS's reply schema; remove it or use $defs"
            )
        for dynamic in ("$dynamicRef", "$recursiveRef"):
            if dynamic in node:
                raise ValueError(
                    f"schema uses {dynamic}, which is not supported: use $ref into $defs"
                )
        ref = node.get("$ref")
        if ref is None:
            continue
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise ValueError(
                f"schema has $ref {ref!r}: only references inside the schema (starting with "
                "'#', e.g. '#/$defs/Owner') are supported; inline the referenced schema"
            )
        try:
            resolver.lookup(ref)
        except Unresolvable:
            raise ValueError(
                f"schema has $ref {ref!r}, which points at nothing in the schema: fix the path "
                "or add the definition"
            ) from None


def _describes_object(schema: dict[str, Any], resolver: Any, seen: int = 0) -> bool:
    """Whether ``schema`` describes JSON objects only.

    Directly (``"type": "object"``, or ``properties`` with no other type), by ``$ref``, by
    every branch of a ``oneOf`` / ``anyOf``, or by one part of an ``allOf``.
    """
    if "type" in schema or "properties" in schema:
        return bool(schema.get("type", "object") == "object")
    if seen > 32:  # references going round in circles
        return False

    def describes(part: Any) -> bool:
        return isinstance(part, dict) and _describes_object(part, resolver, seen + 1)

    if isinstance(ref := schema.get("$ref"), str):
        return describes(resolver.lookup(ref).contents)
    if any(describes(part) for part in schema.get("allOf") or ()):
        return True
    branches = [b for key in ("oneOf", "anyOf") for b in schema.get(key) or ()]
    return bool(branches) and all(describes(b) for b in branches)


class CandidateSchema:
    """The schema every candidate of a request must follow.

    Build one with `of()`; it accepts what ``with_structured_output`` accepts, except
    pydantic v1 models.

    Attributes:
        source: The schema as the user gave it.
        name: Its title (the class name, or the JSON schema's ``title``; else ``"Candidate"``).
        json_schema: The JSON schema of one candidate (its ``$defs`` at the top level).
    """

    def __init__(self, source: Any, json_schema: dict[str, Any], name: str) -> None:
        self.source = source
        self.json_schema = json_schema
        self.name = name
        self._adapter: TypeAdapter[Any] | None = None
        self._validator: Any = None
        if isinstance(source, type) and issubclass(source, BaseModel):
            self._adapter = TypeAdapter(source)
        else:
            import jsonschema  # only JSON-schema dicts need it

            validator_type = jsonschema.validators.validator_for(json_schema)
            self._validator = validator_type(json_schema)

    @classmethod
    def of(cls, schema: Any) -> CandidateSchema:
        """Wrap a pydantic model class, a ``TypedDict`` or a JSON-schema dict.

        Raises:
            ValueError: ``schema`` is none of these, or a JSON-schema dict that is not a valid
                schema of a JSON object, or one with a reference that does not resolve inside
                it.
            TypeError: A ``TypedDict`` that refers to itself.
        """
        if isinstance(schema, CandidateSchema):
            return schema
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            return cls(schema, schema.model_json_schema(), schema.__name__)
        if is_typeddict(schema):
            return cls(schema, _typed_dict_json_schema(schema), schema.__name__)
        if isinstance(schema, dict):
            return cls._of_json_schema(schema)
        hint = (
            " (pydantic.v1 models are not supported: use a pydantic v2 model)"
            if _is_pydantic_v1_model(schema)
            else ""
        )
        raise ValueError(
            f"schema must be a pydantic model class, a TypedDict or a JSON-schema dict; got "
            f"{schema!r}{hint}"
        )

    @classmethod
    def _of_json_schema(cls, schema: dict[str, Any]) -> CandidateSchema:
        import jsonschema

        try:
            jsonschema.validators.validator_for(schema).check_schema(schema)
        except jsonschema.SchemaError as error:
            raise ValueError(f"schema is not a valid JSON schema: {error.message}") from error
        resolver = _resolver(schema)
        _check_references(schema, resolver)
        if not _describes_object(schema, resolver):
            raise ValueError(
                'schema must describe a JSON object ("type": "object" with "properties", a '
                '"$ref" to one, or "oneOf"/"anyOf" of such); got type '
                f"{schema.get('type')!r}"
            )
        return cls(
            copy.deepcopy(schema), copy.deepcopy(schema), str(schema.get("title") or "Candidate")
        )

    # -- one candidate ------------------------------------------------------------------------

    def validate(self, value: Any) -> Any:
        """The validated object: a pydantic instance for a pydantic schema, else the dict.

        Raises:
            CandidateTooDeepError: ``value`` nests deeper than `MAX_DEPTH` (a
                ``ValueError``).
            ValueError: ``value`` does not follow the schema (the message says where and why).
        """
        if nests_deeper_than(value, MAX_DEPTH):
            raise CandidateTooDeepError(
                f"does not match {self.name}: it nests objects and arrays deeper than "
                f"{MAX_DEPTH} levels, the most a candidate may"
            )
        if self._adapter is not None:
            try:
                return self._adapter.validate_python(value)
            except ValidationError as error:
                problems = "; ".join(
                    f"{'.'.join(map(str, e['loc'])) or '(object)'}: {e['msg']}"
                    for e in error.errors()[:_SHOWN_ERRORS]
                )
                raise ValueError(f"does not match {self.name}: {problems}") from None
        errors = sorted(self._validator.iter_errors(value), key=lambda e: list(e.path))
        if errors:
            problems = "; ".join(
                f"{'.'.join(map(str, e.path)) or '(object)'}: {e.message}"
                for e in errors[:_SHOWN_ERRORS]
            )
            raise ValueError(f"does not match {self.name}: {problems}")
        return value

    def nested_json_schema(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The schema to nest inside another one, and the definitions to put at that one's top.

        The definitions are the schema's ``$defs`` / ``definitions``; its ``$schema`` and
        ``$id`` are left out (they belong to a document, not to a nested schema; the
        candidate is still validated by its own dialect). References into the definitions
        stay as they are; references to the schema's root (``"#"``, recursion) or into it
        (``"#/properties/..."``) would point at the outer schema once nested, so the root moves
        into ``$defs`` (as ``VSCandidate``, or a free name like it), the nested schema is a
        ``$ref`` to it, and those references are rewritten to point there.

        Returns:
            ``(schema, definitions)``: copies; ``definitions`` maps ``"$defs"`` and/or
            ``"definitions"`` to their dicts.

        Examples:
            >>> tree = CandidateSchema.of({"type": "object", "properties": {
            ...     "kids": {"type": "array", "items": {"$ref": "#"}}}})
            >>> body, defs = tree.nested_json_schema()
            >>> body, defs["$defs"]["VSCandidate"]["properties"]["kids"]["items"]
            ({'$ref': '#/$defs/VSCandidate'}, {'$ref': '#/$defs/VSCandidate'})
        """
        body = copy.deepcopy(self.json_schema)
        for key in ("$schema", "$id"):  # a document's keywords, not a nested schema's
            body.pop(key, None)
        shared = {key: body.pop(key) for key in _DEFINITIONS if key in body}
        nodes = [*_subschemas(body), *(n for key in shared for n in _subschemas(shared[key]))]
        into_root = [
            node
            for node in nodes
            if isinstance(ref := node.get("$ref"), str)
            and ref.startswith("#")
            and not any(unquote(ref).startswith(f"#/{key}/") for key in _DEFINITIONS)
        ]
        if not into_root:
            return body, shared
        defs = shared.setdefault("$defs", {})
        name = _ROOT_NAME
        while name in defs:
            name += "_"
        for node in into_root:
            node["$ref"] = f"#/$defs/{name}" + node["$ref"][1:]
        defs[name] = body
        return {"$ref": f"#/$defs/{name}"}, shared

    def dump(self, value: Any) -> Any:
        """The object as plain JSON-able data."""
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        return value

    def canonical_text(self, value: Any) -> str:
        """The object's canonical JSON: sorted keys, no spaces, non-ASCII kept."""
        return json.dumps(
            self.dump(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )

    def __repr__(self) -> str:
        return f"CandidateSchema({self.name})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CandidateSchema) and self.json_schema == other.json_schema

    def __hash__(self) -> int:
        return hash(json.dumps(self.json_schema, sort_keys=True))
