"""Structured candidates: the user's schema, as VS asks for, validates and prints its objects.

A schema is a pydantic (v2) model class, a ``TypedDict`` or a JSON-schema dict.
:class:`CandidateSchema` wraps any of them behind one interface: the JSON schema the model is
shown (and that structured output enforces), validation of one candidate object (a pydantic
instance for a pydantic schema, a dict otherwise), and the canonical JSON text that stands for
the object wherever a text is needed (metrics, merging, dedup, markdown).

Example:
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
import json
from typing import Any

from langchain_core.utils.function_calling import convert_to_json_schema
from pydantic import BaseModel, TypeAdapter, ValidationError
from typing_extensions import is_typeddict

__all__ = ["CandidateSchema"]

_SHOWN_ERRORS = 3


def _is_pydantic_v1_model(schema: Any) -> bool:
    try:
        from pydantic import v1
    except ImportError:  # pragma: no cover - pydantic v2 always ships it
        return False
    return isinstance(schema, type) and issubclass(schema, v1.BaseModel)


class CandidateSchema:
    """The schema every candidate of a request must follow.

    Build one with :meth:`of`; it accepts what ``with_structured_output`` accepts, except
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
                schema of a JSON object.
        """
        if isinstance(schema, CandidateSchema):
            return schema
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            return cls(schema, schema.model_json_schema(), schema.__name__)
        if is_typeddict(schema):
            # LangChain's reading of a TypedDict (its Annotated[type, default, "description"]
            # convention; typing.TypedDict on Python 3.11, which pydantic refuses).
            return cls(schema, convert_to_json_schema(schema), schema.__name__)
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
        declared = schema.get("type")
        if declared != "object" and "properties" not in schema:
            raise ValueError(
                'schema must describe a JSON object ("type": "object" with "properties"); '
                f"got type {declared!r}"
            )
        return cls(
            copy.deepcopy(schema), copy.deepcopy(schema), str(schema.get("title") or "Candidate")
        )

    # -- one candidate ------------------------------------------------------------------------

    def validate(self, value: Any) -> Any:
        """The validated object: a pydantic instance for a pydantic schema, else the dict.

        Raises:
            ValueError: ``value`` does not follow the schema (the message says where and why).
        """
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
