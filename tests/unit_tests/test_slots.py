import dataclasses
import inspect
import pickle

import pytest

from langchain_vs.core import Candidate, WeightedText
from langchain_vs.core._slots import slot_setting_init
from langchain_vs.core.parsing import ParsedTurn

SAMPLES = {Candidate: ("a", 0.5), WeightedText: ("a", 0.5), ParsedTurn: ([], None, (), True)}


@pytest.mark.parametrize("cls", list(SAMPLES))
def test_the_written_init_keeps_the_dataclass_contract(cls):
    # Its __init__ replaces the generated one (speed): same parameters, still frozen.
    params = inspect.signature(cls).parameters.values()
    assert [(p.name, p.default, p.annotation) for p in params] == [
        (f.name, inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default, f.type)
        for f in dataclasses.fields(cls)
    ]
    args = SAMPLES[cls]
    names = [f.name for f in dataclasses.fields(cls)]
    item = cls(*args)
    assert item == cls(**dict(zip(names, args, strict=False)))
    assert [getattr(item, name) for name in names[: len(args)]] == list(args)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(item, names[0], "b")
    assert dataclasses.replace(item, **{names[0]: "b"}) != item
    assert pickle.loads(pickle.dumps(item)) == item
    with pytest.raises(TypeError, match="missing"):
        cls()


def test_fields_it_cannot_set_directly_are_refused():
    with pytest.raises(TypeError, match="only plain positional fields"):

        @slot_setting_init
        @dataclasses.dataclass(frozen=True, slots=True)
        class Tagged:
            tags: list[str] = dataclasses.field(default_factory=list)


def test_a_post_init_is_refused_rather_than_skipped():
    with pytest.raises(TypeError, match="__post_init__"):

        @slot_setting_init
        @dataclasses.dataclass(frozen=True, slots=True)
        class Checked:
            x: int

            def __post_init__(self) -> None:
                assert self.x > 0
