"""What VerbalizedSamplingMiddleware costs a create_agent agent, on the embedded local model.

Run: .venv/bin/python benchmarks/agent_middleware.py [--runs 3] [--k 5]

Four agents over the same model answer the same questions, interleaved question by question in
one process on one shared server: without and with the middleware, each with no tools and with
one tool bound. Reported per final answer, as medians over every run and question: wall seconds,
model calls (counted by a callback on every chat-model run) and output tokens. The 135M model
answers in text when a tool is bound (it rarely calls one), which is the case where the
middleware's probe call shows; a run where it did call the tool is counted as it happened.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from langchain.agents import create_agent
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.tools import tool

from langchain_vs import VerbalizedSamplingMiddleware
from langchain_vs.local import local_chat_model

QUESTIONS = [
    "Name a color for a boat.",
    "Suggest a name for a cat.",
    "Give me a one-line tip for a rainy day.",
]
SYSTEM = "Answer in a few words."


@tool
def weather(city: str) -> str:
    """The weather in a city today."""
    return "sunny"


class CallCounter(BaseCallbackHandler):
    """Counts chat-model runs (every model call, the middleware's own included)."""

    def __init__(self) -> None:
        self.calls = 0

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102
        self.calls += 1


def main() -> None:
    """Run the measurement and print the report as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    model = local_chat_model()
    model.invoke("Warm up.")  # the server's start is not part of any arm
    arms = {
        f"{name}{', tool bound' if tools else ''}": create_agent(
            model, tools=tools, system_prompt=SYSTEM, middleware=middleware
        )
        for name, middleware in (
            ("plain", []),
            ("vs", [VerbalizedSamplingMiddleware(k=args.k, seed=0)]),
        )
        for tools in ([], [weather])
    }
    samples: dict[str, dict[str, list[float]]] = {
        arm: {"seconds": [], "calls": [], "output_tokens": []} for arm in arms
    }
    for run in range(args.runs):
        for question in QUESTIONS:
            for arm, agent in arms.items():
                counter = CallCounter()
                started = time.perf_counter()
                # A low recursion limit: a small model that calls tools in a loop stops early.
                config = {"callbacks": [counter], "recursion_limit": 12}
                state = agent.invoke({"messages": [("human", question)]}, config)
                seconds = time.perf_counter() - started
                answers = [m for m in state["messages"] if m.type == "ai" and not m.tool_calls]
                tokens = sum(
                    (m.usage_metadata or {}).get("output_tokens", 0)
                    for m in state["messages"]
                    if m.type == "ai"
                )
                samples[arm]["seconds"].append(seconds / len(answers))
                samples[arm]["calls"].append(counter.calls / len(answers))
                samples[arm]["output_tokens"].append(tokens / len(answers))
        print(f"run {run + 1}/{args.runs} done", flush=True)
    report = {
        arm: {name: round(statistics.median(values), 2) for name, values in measured.items()}
        for arm, measured in samples.items()
    }
    print(json.dumps({"k": args.k, "runs": args.runs, "questions": len(QUESTIONS), **report}))


if __name__ == "__main__":
    main()
