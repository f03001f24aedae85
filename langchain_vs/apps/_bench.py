"""The benchmark: VS methods vs direct prompting vs token-level samplers, on the user's model.

Creative tasks (joke, poem, story) are scored by the diversity of ``samples`` responses per
prompt; answer tasks (dice, states) by how close the distribution of the answers a user would
get (one pick per call) comes to a reference distribution. Beside every diversity figure stands
a quality figure: for creative tasks the mean score of a scorer (by default, on a llama.cpp
server, [`FluencyScorer`][langchain_vs.quality.FluencyScorer]: the model's own mean token
log-probability
of each response as a reply to its prompt), for answer tasks the valid-answer rate (answers the
reference knows). Every arm runs in the same process, side by side, and its cost is counted:
output tokens and wall time per distinct response. Task prompts and references are in
``langchain_vs/data/bench_tasks.json``.

Examples:
    ```python
    report = run_benchmark(local_chat_model(), tasks=["joke", "dice"], samples=10)
    write_report(report, "bench-results")
    ```
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langchain_openai import ChatOpenAI

from langchain_vs.core import (
    METADATA_KEY,
    Candidate,
    Method,
    Scorer,
    checked_scores,
    configured_copy,
    scorer_name,
)
from langchain_vs.eval import (
    answer_counts,
    coverage,
    default_embeddings,
    distinct_n,
    embeddings_name,
    js_divergence,
    kl_divergence,
    lexical_diversity,
    semantic_diversity,
    valid_answer_rate,
)
from langchain_vs.local import resolve_chat_model
from langchain_vs.quality import FluencyScorer
from langchain_vs.runnables import VerbalizedSampler

__all__ = [
    "JUDGE_RUBRIC",
    "Arm",
    "load_tasks",
    "run_benchmark",
    "token_level_arms",
    "write_report",
]

JUDGE_RUBRIC = (
    "Does the response do what the request asks, well? Reward a response that is fluent, "
    "coherent, on topic and original; penalise one that is garbled, off topic, a template or "
    "a copy of the request."
)
"""The creative tasks' rubric for an LLM judge (``langchain-vs bench --judge MODEL``)."""


def load_tasks() -> dict[str, dict[str, Any]]:
    """The shipped tasks: name -> ``kind``, ``prompts`` and (answer tasks) ``reference``."""
    data = json.loads(files("langchain_vs").joinpath("data/bench_tasks.json").read_text())
    return {name: task for name, task in data.items() if not name.startswith("_")}


@dataclass(frozen=True)
class Arm:
    """One row of the benchmark: a method, and settings for the model."""

    name: str
    method: Method
    model_settings: dict[str, Any] = field(default_factory=dict)


def _is_local_server(model: BaseChatModel) -> bool:
    base = str(getattr(model, "openai_api_base", "") or "")
    return isinstance(model, ChatOpenAI) and base.startswith(("http://127.", "http://localhost"))


def token_level_arms(model: BaseChatModel) -> list[Arm]:
    """Token-level baselines the model's API accepts (llama.cpp servers take min-p and top-k)."""
    if _is_local_server(model):
        extra = dict(getattr(model, "extra_body", None) or {})
        return [
            Arm(
                "direct T=1.5 min_p=0.1",
                Method.DIRECT,
                {"temperature": 1.5, "extra_body": {**extra, "min_p": 0.1}},
            ),
            Arm(
                "direct T=1.0 top_k=20",
                Method.DIRECT,
                {"temperature": 1.0, "extra_body": {**extra, "top_k": 20}},
            ),
        ]
    return [Arm("direct T=1.2 top_p=0.95", Method.DIRECT, {"temperature": 1.2, "top_p": 0.95})]


@dataclass
class _Tally:
    texts: list[list[str]] = field(default_factory=list)  # per prompt
    picks: list[str] = field(default_factory=list)
    calls: int = 0
    failures: int = 0
    errors: list[str] = field(default_factory=list)
    output_tokens: int = 0
    seconds: float = 0.0


def _collect(
    sampler: VerbalizedSampler, prompt: str, samples: int, creative: bool, tally: _Tally, seed: int
) -> None:
    texts: list[str] = []
    picks_before = len(tally.picks)
    attempts = 0
    while (len(texts) if creative else len(tally.picks) - picks_before) < samples and (
        attempts < 3 * samples  # bounded even when every call fails
    ):
        attempts += 1
        started = time.perf_counter()
        try:
            # A seed per call: picks vary between calls, and the run is reproducible.
            message = sampler.model_copy(update={"seed": seed + attempts}).invoke(prompt)
        except OutputParserException:
            tally.failures += 1
            continue
        except Exception as error:  # noqa: BLE001 -- one failing call must not end a long run
            tally.failures += 1
            tally.errors.append(f"{type(error).__name__}: {error}"[:300])
            continue
        finally:
            tally.seconds += time.perf_counter() - started
        tally.calls += 1
        tally.output_tokens += (message.usage_metadata or {}).get("output_tokens", 0)
        record = message.response_metadata[METADATA_KEY]
        if creative:
            texts.extend(c["text"] for c in record["candidates"])
        else:
            tally.picks.append(message.text)
    if creative:
        tally.texts.append(texts[:samples])


def _quality(
    scorer: Scorer, prompts: Sequence[str], texts: Sequence[Sequence[str]], tally: _Tally
) -> float | None:
    """The scorer's mean over every response, each prompt's responses scored as one batch.

    A scorer that fails (its server down) leaves the figure empty and says why in the errors.
    """
    values: list[float] = []
    for prompt, batch in zip(prompts, texts, strict=True):
        candidates = [Candidate(t, 1 / len(batch), index=i) for i, t in enumerate(batch)]
        if not candidates:
            continue
        try:
            scores = scorer.score([HumanMessage(prompt)], candidates)
            values += [s.value for s in checked_scores(scorer, scores, candidates)]
        except Exception as error:  # noqa: BLE001 -- one failing part must not end a long run
            tally.errors.append(
                f"scorer {scorer_name(scorer)}: {type(error).__name__}: {error}"[:300]
            )
            return None
    return _mean(values)


def _score(
    task: dict[str, Any], tally: _Tally, embeddings: Embeddings, scorer: Scorer | None
) -> dict[str, Any]:
    quality = None
    if task["kind"] == "creative" and scorer is not None:  # before the errors are listed
        quality = _quality(scorer, task["prompts"], tally.texts, tally)
    row: dict[str, Any] = {
        "calls": tally.calls,
        "failures": tally.failures,
        "errors": sorted(set(tally.errors)),
        "output_tokens": tally.output_tokens,
        "seconds": round(tally.seconds, 2),
    }
    if task["kind"] == "creative":
        sets = [t for t in tally.texts if len(t) >= 2]
        distinct = sum(len(answer_counts(t)) for t in tally.texts)
        row.update(
            responses=sum(len(t) for t in tally.texts),
            distinct=distinct,
            semantic_diversity=_mean([semantic_diversity(t, embeddings) for t in sets]),
            lexical_diversity=_mean([lexical_diversity(t) for t in sets]),
            distinct_2=_mean([distinct_n(t, 2) for t in sets]),
            quality=quality,
        )
    else:
        counts = answer_counts(tally.picks)
        reference = task["reference"]
        distinct = len(counts)
        row.update(responses=len(tally.picks), distinct=distinct, answers=dict(counts))
        if counts:
            row.update(
                kl=kl_divergence(counts, reference),
                js=js_divergence(counts, reference),
                coverage=coverage(counts, reference),
                valid_rate=valid_answer_rate(counts, reference),
            )
    row["tokens_per_distinct"] = round(tally.output_tokens / distinct, 1) if distinct else None
    row["seconds_per_distinct"] = round(tally.seconds / distinct, 3) if distinct else None
    return row


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def run_benchmark(
    model: BaseChatModel | str,
    *,
    tasks: Sequence[str] = ("joke", "poem", "story", "dice", "states"),
    methods: Sequence[Method | str] = tuple(Method),
    samples: int = 10,
    k: int = 5,
    token_baselines: bool = True,
    seed: int = 0,
    embeddings: Embeddings | None = None,
    on_step: Callable[[str], None] | None = None,
    vs_options: Mapping[str, Any] | None = None,
    quality_scorer: Scorer | Literal["auto"] | None = "auto",
) -> dict[str, Any]:
    """Run every arm on every task; return a JSON-able report (``config`` and ``rows``).

    Args:
        model: The model under test, or its name (``"openai:gpt-4.1-mini"``, ``"local"``; see
            [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model]).
        tasks: Task names from [`load_tasks()`][langchain_vs.apps.load_tasks].
        methods: VS methods and baselines to compare.
        samples: Responses per prompt (creative) or answers per prompt (answer tasks).
        k: Candidates per VS call.
        token_baselines: Add the token-level sampler rows of
            [`token_level_arms()`][langchain_vs.apps.token_level_arms].
        seed: Base seed of the picks.
        embeddings: For semantic diversity; default
            [`default_embeddings()`][langchain_vs.eval.default_embeddings]. Its name is in the
            report.
        on_step: Called with a label after each (task, arm, prompt) step, for progress.
        vs_options: More VS options for every arm, e.g. ``{"constrained_weights": False}``
            (in the report's ``config``).
        quality_scorer: Scores creative tasks' responses (each prompt's as one batch, the
            prompt as the request); its mean is the row's ``quality``, its name in ``config``.
            ``"auto"``: [`FluencyScorer`][langchain_vs.quality.FluencyScorer] on the model itself
            when
            it is a llama.cpp server on this machine, else none; ``None``: none. Answer tasks
            always get ``valid_rate``, the share of answers the reference knows.
    """
    known = load_tasks()
    if unknown := sorted(set(tasks) - set(known)):
        raise ValueError(f"unknown tasks {unknown}; choose from {sorted(known)}")
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    if quality_scorer not in ("auto", None) and not isinstance(quality_scorer, Scorer):
        raise TypeError(
            "quality_scorer must be a langchain_vs.core.Scorer, 'auto' or None, got "
            f"{quality_scorer!r}"
        )
    model = resolve_chat_model(model)
    scorer: Scorer | None
    if quality_scorer == "auto":
        scorer = FluencyScorer(model) if _is_local_server(model) else None
    else:
        scorer = quality_scorer
    embeddings = embeddings or default_embeddings()
    arms = [Arm(Method(m).value, Method(m)) for m in methods]
    arms += token_level_arms(model) if token_baselines else []
    rows = []
    for task_name in tasks:
        task = known[task_name]
        for arm in arms:
            sampler = VerbalizedSampler(
                model=configured_copy(model, arm.model_settings),
                method=arm.method,
                k=k if not arm.method.is_single else 1,
                max_retries=1,
                **(vs_options or {}),
            )
            tally = _Tally()
            for prompt in task["prompts"]:
                _collect(sampler, prompt, samples, task["kind"] == "creative", tally, seed)
                if on_step:
                    on_step(f"{task_name} · {arm.name}")
            rows.append(
                {
                    "task": task_name,
                    "kind": task["kind"],
                    "arm": arm.name,
                    "method": arm.method.value,
                    **_score(task, tally, embeddings, scorer),
                }
            )
    config = {
        "model": getattr(model, "model_name", type(model).__name__),
        "tasks": list(tasks),
        "arms": [a.name for a in arms],
        "samples": samples,
        "k": k,
        "seed": seed,
        "embeddings": embeddings_name(embeddings),
        "quality": {
            "creative": None if scorer is None else scorer_name(scorer),
            "answer": "valid_rate",
        },
        **({"vs_options": dict(vs_options)} if vs_options else {}),
    }
    return {"config": config, "rows": rows}


def steps(
    tasks: Sequence[str], methods: Sequence[Any], token_baselines: bool, model: BaseChatModel
) -> int:
    """How many progress steps [`run_benchmark()`][langchain_vs.apps.run_benchmark] reports."""
    known = load_tasks()
    arms = len(methods) + (len(token_level_arms(model)) if token_baselines else 0)
    return sum(len(known[t]["prompts"]) for t in tasks if t in known) * arms


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown_table(report: dict[str, Any]) -> str:
    """The report as a markdown table."""
    columns = [
        "task",
        "arm",
        "responses",
        "distinct",
        "semantic_diversity",
        "lexical_diversity",
        "distinct_2",
        "quality",
        "kl",
        "js",
        "coverage",
        "valid_rate",
        "tokens_per_distinct",
        "seconds_per_distinct",
        "failures",
    ]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in report["rows"]:
        lines.append("| " + " | ".join(_fmt(row.get(c)) for c in columns) + " |")
    return "\n".join(lines)


PARETO_AXES = {
    "creative": ("semantic_diversity", "quality", "diversity (1 - mean cosine)"),
    "answer": ("coverage", "valid_rate", "coverage of the reference's answers"),
}
"""Per task kind: the row's diversity and quality keys in the Pareto plot, and the x label."""


def _pareto(report: dict[str, Any], path: Path) -> bool:
    """Diversity vs quality, a panel per task, a point per arm (up and right is better)."""
    import matplotlib.pyplot as plt

    config = report["config"]
    arms = config["arms"]
    panels = []
    for task in dict.fromkeys(r["task"] for r in report["rows"]):
        rows = [r for r in report["rows"] if r["task"] == task]
        x_key, y_key, x_label = PARETO_AXES[rows[0]["kind"]]
        points = [
            (r["arm"], r[x_key], r[y_key]) for r in rows if None not in (r.get(x_key), r.get(y_key))
        ]
        if points:
            y_label = (
                "valid-answer rate"
                if y_key == "valid_rate"
                else f"quality: {config['quality']['creative']}"
            )
            panels.append((task, points, x_label, y_label))
    if not panels:
        return False
    figure, axes_row = plt.subplots(
        1, len(panels), figsize=(3.6 * len(panels) + 2.4, 3.8), squeeze=False
    )
    colors = plt.get_cmap("tab10")
    for axes, (task, points, x_label, y_label) in zip(axes_row[0], panels, strict=True):
        for arm, x, y in points:
            axes.scatter(x, y, color=colors(arms.index(arm) % 10), label=arm, s=36)
        axes.set_title(task, fontsize=10)
        axes.set_xlabel(x_label, fontsize=8)
        axes.set_ylabel(y_label, fontsize=8)
        axes.tick_params(labelsize=7)
    legend: dict[str, Any] = {}  # every arm once, whichever panel drew it
    for axes in axes_row[0]:
        handles, labels = axes.get_legend_handles_labels()
        legend.update(zip(labels, handles, strict=True))
    figure.legend(list(legend.values()), list(legend), fontsize=7, loc="center right")
    figure.suptitle(
        f"{config['model']} · k={config['k']}: diversity vs quality (up and right is better)",
        fontsize=10,
    )
    figure.tight_layout(rect=(0, 0, 1 - 1.7 / (3.6 * len(panels) + 2.4), 1))
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def write_report(report: dict[str, Any], out_dir: str | Path) -> list[Path]:
    """Write ``results.json``, ``results.md`` and PNG plots; return the paths written.

    The plots: diversity per arm and task (``diversity.png``), KL for answer tasks
    (``kl.png``), and diversity vs quality per task (``pareto.png``).
    """
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "results.json", out / "results.md"]
    written[0].write_text(json.dumps(report, indent=2))
    written[1].write_text(markdown_table(report) + "\n")
    arms = report["config"]["arms"]
    for metric, kind, filename, label in [
        (
            "semantic_diversity",
            "creative",
            "diversity.png",
            "1 - mean cosine (higher = more diverse)",
        ),
        ("kl", "answer", "kl.png", "KL to reference (lower = closer)"),
    ]:
        rows = [r for r in report["rows"] if r.get(metric) is not None]
        task_names = list(dict.fromkeys(r["task"] for r in rows))
        if not task_names:
            continue
        figure, axes = plt.subplots(figsize=(max(7, 1.8 * len(task_names) + 4.5), 4))
        width = 0.8 / len(arms)
        for a, arm in enumerate(arms):
            values = [
                next((r[metric] for r in rows if r["task"] == t and r["arm"] == arm), 0)
                for t in task_names
            ]
            axes.bar([i + a * width for i in range(len(task_names))], values, width, label=arm)
        axes.set_xticks([i + 0.4 - width / 2 for i in range(len(task_names))], task_names)
        axes.set_ylabel(label, fontsize=9)
        config = report["config"]
        named = kind == "creative" and "embeddings" in config
        detail = f", embeddings: {config['embeddings']}" if named else ""
        axes.set_title(f"{config['model']} · k={config['k']} ({kind} tasks{detail})", fontsize=10)
        axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        figure.tight_layout()
        figure.savefig(out / filename, dpi=110)
        plt.close(figure)
        written.append(out / filename)
    if _pareto(report, out / "pareto.png"):
        written.append(out / "pareto.png")
    return written
