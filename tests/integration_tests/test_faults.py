"""Faults cost one attempt budget: a FAKE failing OpenAI-compatible server on 127.0.0.1, the
real ``ChatOpenAI`` client, and HTTP requests counted per call."""

import time

import openai
import pytest
from langchain_openai import ChatOpenAI

from langchain_vs import VerbalizedChatModel, VerbalizedSampler

from .fault_server import FaultServer


def client(server: FaultServer, *, max_retries: int = 2, timeout: float = 2.0) -> ChatOpenAI:
    return ChatOpenAI(
        base_url=server.base_url,
        api_key="unused",
        model="fault-model",
        max_retries=max_retries,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ("500", openai.InternalServerError),
        ("429", openai.RateLimitError),
        ("reset", openai.APIConnectionError),
        ("truncated", openai.APIConnectionError),
    ],
)
def test_a_failing_server_costs_the_clients_budget_once(behaviour, error):
    # A status answer comes with retry-after-ms (fast retries); a broken connection waits out
    # the client's back-off, so those get one retry instead of two.
    retries = 2 if behaviour.isdigit() else 1
    with FaultServer(behaviour) as server:
        sampler = VerbalizedSampler(model=client(server, max_retries=retries))
        with pytest.raises(error) as info:
            sampler.invoke("A hot drink?")
    assert len(server.requests) == 1 + retries  # the client's own retries; no text fallback
    assert all("response_format" in body for body in server.requests)
    note = " ".join(info.value.__notes__)
    assert server.base_url in note and "fault-model" in note


def test_a_hanging_server_times_out_once():
    with FaultServer("hang") as server:
        sampler = VerbalizedSampler(model=client(server, max_retries=1, timeout=1.0))
        with pytest.raises(openai.APITimeoutError):
            sampler.invoke("A hot drink?")
    assert len(server.requests) == 2


async def test_faults_cost_one_budget_async_too():
    with FaultServer("500") as server:
        model = VerbalizedChatModel(model=client(server, max_retries=1), k=3)
        with pytest.raises(openai.InternalServerError):
            await model.ainvoke("A hot drink?")
    assert len(server.requests) == 2


def test_a_rate_limit_burst_does_not_switch_to_text_for_good():
    with FaultServer("429", "429", "ok") as server:
        sampler = VerbalizedSampler(model=client(server, max_retries=0), k=3, seed=1)
        for _ in range(2):
            with pytest.raises(openai.RateLimitError):
                sampler.invoke("A hot drink?")
        message = sampler.invoke("A hot drink?")
    assert message.content in {"Tea", "Coffee", "Cocoa"}
    assert all("response_format" in body for body in server.requests)
    assert message.response_metadata["verbalized_sampling"]["structured"] is True


def test_a_rejected_schema_is_asked_in_text_within_the_same_call():
    with FaultServer("400-schema", "ok", "400-schema", "ok") as server:
        sampler = VerbalizedSampler(model=client(server), k=3, seed=1)
        first = sampler.invoke("A hot drink?")
        sampler.invoke("A hot drink?")
    assert ["response_format" in body for body in server.requests] == [True, False] * 2
    record = first.response_metadata["verbalized_sampling"]
    assert record["structured"] is False and "not supported" in (record["structured_error"] or "")


def test_a_reply_cut_at_the_token_limit_keeps_its_finished_responses():
    with FaultServer("cut") as server:
        sampler = VerbalizedSampler(model=client(server), k=3, output="distribution")
        distribution = sampler.invoke("A hot drink?")
    assert len(server.requests) == 1
    assert distribution.texts == ["Tea", "Coffee"], distribution
    assert "dropped_cut_off" in distribution.repairs


def test_the_wrapper_s_timeout_retries_and_key_reach_the_client():
    # The wrapped model would wait 300 s, three times (its client's default retries), with its
    # own key; the wrapper's settings must be used: one request, cut after 1 s, the outer key.
    with FaultServer("hang") as server:
        inner = ChatOpenAI(
            base_url=server.base_url, api_key="inner", model="fault-model", timeout=300
        )
        model = VerbalizedChatModel(model=inner, timeout=1, max_retries=0, api_key="outer")
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            model.invoke("A hot drink?")
        waited = time.monotonic() - started
    assert waited < 5  # a hang guard on a loaded machine, not a speed measurement
    assert server.authorizations == ["Bearer outer"]
