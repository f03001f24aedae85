"""Applications of VS: diverse RAG answers, synthetic datasets, and the benchmark."""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.apps._bench import (
        JUDGE_RUBRIC,
        Arm,
        load_tasks,
        markdown_table,
        run_benchmark,
        steps,
        token_level_arms,
        write_report,
    )
    from langchain_vs.apps._dataset import (
        CALL_BUDGET_FACTOR,
        DatasetProgress,
        DatasetReport,
        DatasetResult,
        agenerate_dataset,
        generate_dataset,
        read_dataset,
    )
    from langchain_vs.apps._rag import (
        NOT_IN_SOURCES,
        DiverseRAGResult,
        GroundedAnswer,
        create_diverse_rag_chain,
        merge_similar,
    )

_HOMES = {
    "Arm": "_bench",
    "JUDGE_RUBRIC": "_bench",
    "CALL_BUDGET_FACTOR": "_dataset",
    "DatasetProgress": "_dataset",
    "DatasetReport": "_dataset",
    "DatasetResult": "_dataset",
    "DiverseRAGResult": "_rag",
    "GroundedAnswer": "_rag",
    "NOT_IN_SOURCES": "_rag",
    "agenerate_dataset": "_dataset",
    "create_diverse_rag_chain": "_rag",
    "generate_dataset": "_dataset",
    "load_tasks": "_bench",
    "markdown_table": "_bench",
    "merge_similar": "_rag",
    "read_dataset": "_dataset",
    "run_benchmark": "_bench",
    "steps": "_bench",
    "token_level_arms": "_bench",
    "write_report": "_bench",
}

__all__ = [
    "Arm",
    "JUDGE_RUBRIC",
    "CALL_BUDGET_FACTOR",
    "DatasetProgress",
    "DatasetReport",
    "DatasetResult",
    "DiverseRAGResult",
    "GroundedAnswer",
    "NOT_IN_SOURCES",
    "agenerate_dataset",
    "create_diverse_rag_chain",
    "generate_dataset",
    "load_tasks",
    "markdown_table",
    "merge_similar",
    "read_dataset",
    "run_benchmark",
    "steps",
    "token_level_arms",
    "write_report",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
