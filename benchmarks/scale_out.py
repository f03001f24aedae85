"""Scale-out on the embedded model: concurrency, a rate limiter, and LangGraph Server's overhead.

Run: .venv/bin/python benchmarks/scale_out.py [--simulations 8] [--turns 6] [--served 4]

One local llama.cpp server with 8 parallel slots serves every arm, in one run:

1. Throughput at concurrency 1, 2, 4 and 8: the same ``--simulations`` debates of ``--turns``
   turns (the server's default k; each simulation's own seeds, the same in every arm) through
   ``abatch(max_concurrency=c)`` in this process. Reported:
   simulations per minute, VS calls and HTTP requests per second, output tokens per second.
2. A rate limiter: the same work at concurrency 8 with LangChain's ``InMemoryRateLimiter`` on the
   model, set to ``--rate`` requests per second (default: half the rate concurrency 8 reached).
   The rate it held is read from the HTTP requests as they left (an httpx event hook).
3. LangGraph Server vs in-process: ``--served`` concurrent debates of ``--turns`` turns run on
   ``langgraph dev`` (``deploy/langgraph.json``, driven by ``langgraph_sdk``) and the same debates
   in this process, alternated ``--repeats`` times. Reported: wall time, turns per minute, and
   the server's seconds per turn over in-process's as a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from langchain_core.rate_limiters import InMemoryRateLimiter
from langchain_core.runnables import RunnableLambda
from langchain_openai import ChatOpenAI
from langgraph.checkpoint.memory import InMemorySaver

from langchain_vs import create_persona_simulation
from langchain_vs.local import LocalModelServer
from langchain_vs.serve import (
    BASE_URL_ENV,
    DEFAULT_OPENING,
    DEFAULT_PERSONAS,
    MODEL_NAME_ENV,
    SimulationSettings,
    langgraph_dev,
)

# The test suite's fake OpenAI-compatible server, answering every request at once.
sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.integration_tests.fault_server import FaultServer

DEPLOY_CONFIG = Path(__file__).parents[1] / "deploy" / "langgraph.json"
K = SimulationSettings.model_fields["k"].default  # the server's own default debate
SLOTS = 8
MODEL_SEED = 7
MODEL_SETTINGS: dict[str, Any] = {
    "temperature": 0.7,
    "max_tokens": 768,
    "extra_body": {"repeat_penalty": 1.15, "repeat_last_n": 256},
}


class RequestClock:
    """When each HTTP request to the model left this process (an httpx event hook)."""

    def __init__(self) -> None:
        self.times: list[float] = []

    async def __call__(self, request: httpx.Request) -> None:
        """Note the request's departure."""
        self.times.append(time.perf_counter())

    def since(self, start: float) -> list[float]:
        """The departures from ``start`` on."""
        return [t for t in self.times if t >= start]


def _work(states: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """What a batch of finished simulations did, from their states (plain dicts or messages)."""

    def field(message: Any, name: str) -> Any:
        return message.get(name) if isinstance(message, dict) else getattr(message, name)

    replies = [
        m for s in states for m in s["messages"] if field(m, "type") == "ai"
    ]  # persona lines
    tokens = sum((field(m, "usage_metadata") or {}).get("output_tokens", 0) for m in replies)
    calls = sum(d["model_calls"] for s in states for d in s["draws"])
    return {
        "simulations": len(states),
        "turns": sum(s["turn"] for s in states),
        "unfinished": sum(not s["finished"] for s in states),
        "vs_calls": calls,
        "output_tokens": tokens,
        "seconds": round(seconds, 3),
        "simulations_per_minute": round(60 * len(states) / seconds, 2),
        "turns_per_minute": round(60 * sum(s["turn"] for s in states) / seconds, 2),
        "vs_calls_per_second": round(calls / seconds, 3),
        "output_tokens_per_second": round(tokens / seconds, 1),
    }


def _seeds(index: int) -> dict[str, int]:
    """Simulation ``index``'s seeds: the same in every arm, different between simulations."""
    return {"seed": index, "model_seed": MODEL_SEED + index}


async def in_process(
    model: ChatOpenAI, simulations: int, turns: int, concurrency: int, tag: str
) -> dict[str, Any]:
    """``simulations`` debates through ``abatch`` at ``concurrency``, in this process."""

    async def simulate(index: int) -> dict[str, Any]:
        seeds = _seeds(index)
        app = create_persona_simulation(
            list(DEFAULT_PERSONAS),  # the debate the server runs when nothing is set
            model.model_copy(update={"seed": seeds["model_seed"]}),
            max_turns=turns,
            k=K,
            opening=DEFAULT_OPENING,
            seed=seeds["seed"],
            checkpointer=InMemorySaver(),
        )
        thread = {"configurable": {"thread_id": f"{tag}-{index}"}}
        return dict(await app.ainvoke({"messages": []}, thread))

    started = time.perf_counter()
    states = await RunnableLambda(simulate).abatch(
        list(range(simulations)), {"max_concurrency": concurrency}
    )
    return _work(states, time.perf_counter() - started)


async def on_server(url: str, simulations: int, turns: int) -> dict[str, Any]:
    """The same debates as concurrent runs on LangGraph Server, driven as a client would."""
    from langgraph_sdk import get_client

    client = get_client(url=url)
    threads = [(await client.threads.create())["thread_id"] for _ in range(simulations)]

    async def simulate(index: int) -> None:
        seeds = _seeds(index)
        settings = {
            "k": K,
            "max_turns": turns,
            "seed": seeds["seed"],
            "model_settings": {**MODEL_SETTINGS, "seed": seeds["model_seed"]},
        }
        await client.runs.wait(
            threads[index],
            "persona_simulation",
            input={"messages": []},
            config={"configurable": settings},
            raise_error=True,
        )

    started = time.perf_counter()
    await asyncio.gather(*(simulate(index) for index in range(simulations)))
    seconds = time.perf_counter() - started
    states = [(await client.threads.get_state(t))["values"] for t in threads]
    await client.aclose()
    return _work(states, seconds)


async def compare(
    model: ChatOpenAI, endpoint: dict[str, str], args: argparse.Namespace, tag: str
) -> dict[str, Any]:
    """``--served`` debates on ``langgraph dev`` and in this process, alternated."""
    environment = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"} | endpoint
    served: dict[str, list[dict[str, Any]]] = {"langgraph_dev": [], "in_process": []}
    with langgraph_dev(DEPLOY_CONFIG, environment=environment, workdir=args.workdir) as url:
        await on_server(url, 1, 1)  # the server builds its graph and worker once
        for repeat in range(args.repeats):
            served["langgraph_dev"].append(await on_server(url, args.served, args.turns))
            served["in_process"].append(
                await in_process(model, args.served, args.turns, args.served, f"{tag}{repeat}")
            )
            print(f"{tag} repeat {repeat}: {json.dumps(served)}", file=sys.stderr)

    def per_turn(arm: str) -> float:
        return sum(r["seconds"] for r in served[arm]) / sum(r["turns"] for r in served[arm])

    def per_token(arm: str) -> float:
        tokens = sum(r["output_tokens"] for r in served[arm])
        return sum(r["seconds"] for r in served[arm]) / tokens

    return {
        "simulations": args.served,
        "repeats": args.repeats,
        **served,
        "seconds_per_turn": {arm: round(per_turn(arm), 4) for arm in served},
        "server_over_in_process_per_turn": round(
            per_turn("langgraph_dev") / per_turn("in_process"), 3
        ),
        "server_over_in_process_per_output_token": round(
            per_token("langgraph_dev") / per_token("in_process"), 3
        ),
        "server_overhead_ms_per_turn": round(
            1000 * (per_turn("langgraph_dev") - per_turn("in_process")), 1
        ),
    }


def _rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every arm, on one server, in one run."""
    report: dict[str, Any] = {"slots": SLOTS, "k": K, "turns": args.turns}
    clock = RequestClock()
    with LocalModelServer(n_parallel=SLOTS, n_ctx=2048 * SLOTS) as server:
        http = httpx.AsyncClient(event_hooks={"request": [clock]}, timeout=300)
        model = server.chat_model(http_async_client=http, **MODEL_SETTINGS)
        await model.ainvoke("Warm up.")  # the server's start is not part of any arm

        scaling = {}
        for concurrency in (1, 2, 4, 8):
            started = time.perf_counter()
            work = await in_process(
                model, args.simulations, args.turns, concurrency, f"c{concurrency}"
            )
            work["http_requests_per_second"] = round(len(clock.since(started)) / work["seconds"], 3)
            scaling[str(concurrency)] = work
            print(f"concurrency {concurrency}: {json.dumps(work)}", file=sys.stderr)
        report["concurrency"] = scaling

        unlimited = scaling["8"]["http_requests_per_second"]
        rate = args.rate or round(unlimited / 2, 2)
        limiter = InMemoryRateLimiter(
            requests_per_second=rate, check_every_n_seconds=0.01, max_bucket_size=1
        )
        started = time.perf_counter()
        limited = await in_process(
            model.model_copy(update={"rate_limiter": limiter}),
            args.simulations,
            args.turns,
            8,
            "limited",
        )
        sent = clock.since(started)
        gaps = [b - a for a, b in itertools.pairwise(sent)]
        report["rate_limiter"] = {
            "configured_requests_per_second": rate,
            "held_requests_per_second": round(_rate(sent), 3),
            "requests": len(sent),
            "shortest_gap_seconds": round(min(gaps), 3) if gaps else None,
            "unlimited_requests_per_second": unlimited,
            **limited,
        }
        print(f"rate limiter: {json.dumps(report['rate_limiter'])}", file=sys.stderr)

        local = {BASE_URL_ENV: server.base_url, MODEL_NAME_ENV: server.model_path.stem}
        report["server_vs_in_process"] = await compare(model, local, args, "local")
        await http.aclose()

    # The same comparison with a model that answers at once: the server's own cost per turn.
    with FaultServer("ok") as instant:
        model = ChatOpenAI(base_url=instant.base_url, api_key="none", model="instant")
        endpoint = {BASE_URL_ENV: instant.base_url, MODEL_NAME_ENV: "instant"}
        report["server_vs_in_process_instant_model"] = await compare(
            model, endpoint, args, "instant"
        )
    return report


def main() -> None:
    """Run the measurement and print the report as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--simulations", type=int, default=8)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--served", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--rate", type=float, default=None)
    parser.add_argument("--workdir", default="bench-results/langgraph-dev")
    parser.add_argument("--out", default="bench-results/scale_out.json")
    args = parser.parse_args()
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    report = asyncio.run(run(args))
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
