"""Bad options fail at construction with what was wrong (issue #20, strictness leftovers).

FAKE chat models only: nothing here reaches a model.
"""

import math

import pytest

from langchain_vs import VerbalizedChatModel, VerbalizedSampler
from langchain_vs.core import VerbalizedConfig

from .fake_models import SettingsFakeChatModel


def _fake() -> SettingsFakeChatModel:
    return SettingsFakeChatModel(replies=[])


# -- VerbalizedChatModel's model settings -------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("temperature", -3, "greater than or equal to 0"),
        ("temperature", math.nan, "finite number"),
        ("temperature", math.inf, "finite number"),
        ("temperature", True, "valid number"),
        ("temperature", "0.7", "valid number"),
        ("max_tokens", -5, "greater than or equal to 1"),
        ("max_tokens", 0, "greater than or equal to 1"),
        ("max_tokens", True, "valid integer"),
        ("max_tokens", 5.0, "valid integer"),
        ("timeout", -1, "greater than 0"),
        ("timeout", 0, "greater than 0"),
        ("timeout", math.nan, "finite number"),
        ("streaming", 1, "valid boolean"),
    ],
)
def test_chat_model_settings_out_of_range_fail_at_construction(setting, value, message):
    with pytest.raises(ValueError, match=rf"{setting}\n.*{message}"):
        VerbalizedChatModel(model=_fake(), **{setting: value})


def test_chat_model_settings_in_range_reach_the_wrapped_model():
    model = VerbalizedChatModel(model=_fake(), k=2, temperature=0, max_tokens=10, timeout=2)
    inner = model.inner_model()
    assert (inner.temperature, inner.timeout) == (0.0, 2.0)
    assert inner.max_tokens == 2 * (10 + 50)  # two responses per call, with room for the JSON


def test_chat_model_assignment_is_checked_too():
    model = VerbalizedChatModel(model=_fake(), temperature=0.5)
    with pytest.raises(ValueError, match="temperature"):
        model.temperature = -1.0
    assert model.temperature == 0.5


# -- VerbalizedConfig: options that contradict each other ---------------------------------------


def test_min_survivors_above_k_fails_at_construction():
    with pytest.raises(ValueError, match=r"min_survivors must be between 1 and k=2, got 3"):
        VerbalizedConfig(k=2, min_survivors=3)
    assert VerbalizedConfig(k=3, min_survivors=3).min_survivors == 3


def test_min_survivors_above_k_is_refused_on_a_face_and_on_assignment():
    with pytest.raises(ValueError, match="lower min_survivors or raise k"):
        VerbalizedSampler(model=_fake(), k=2, min_survivors=5)
    sampler = VerbalizedSampler(model=_fake(), k=4, min_survivors=3)
    with pytest.raises(ValueError, match="min_survivors"):
        sampler.k = 2
    assert sampler.k == 4


def test_output_value_without_a_schema_fails_at_construction():
    with pytest.raises(ValueError, match=r'output="value" .* pass schema='):
        VerbalizedSampler(model=_fake(), output="value")
