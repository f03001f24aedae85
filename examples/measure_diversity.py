"""Measure diversity on your own model: direct prompting vs Verbalized Sampling (offline).

Run: .venv/bin/python examples/measure_diversity.py [--samples 8]
Eight answers to one prompt each way — eight direct calls, and the picks of eight VS calls —
scored with the metrics in langchain_vs.eval (about 1 minute on the local model; progress on
stderr). Semantic diversity uses MiniLMEmbeddings (the
`embeddings` extra). The model is the embedded SmolLM2 (or OpenAI with OPENAI_API_KEY).
"""

import argparse
import sys

from langchain_vs import MiniLMEmbeddings, VerbalizedSampler
from langchain_vs.eval import distinct_n, lexical_diversity, semantic_diversity, vendi_score
from langchain_vs.local import default_chat_model

PROMPT = "Write a one-sentence opening for a story about a lighthouse."

options = argparse.ArgumentParser(description="direct prompting vs VS on your model")
options.add_argument("--samples", type=int, default=8, help="answers each way (default 8)")
SAMPLES = options.parse_args().samples

model = default_chat_model()
embeddings = MiniLMEmbeddings()
sampler = VerbalizedSampler(model=model, k=5)
direct, verbalized = [], []
for i in range(SAMPLES):
    print(f"\r{i + 1}/{SAMPLES} answers each way…", end="", file=sys.stderr, flush=True)
    direct.append(model.invoke(PROMPT).text)
    verbalized.append(sampler.invoke(PROMPT).text)
print(file=sys.stderr)

print(f"{'':14s}{'semantic':>10s}{'lexical':>10s}{'distinct-2':>12s}{'Vendi':>8s}")
for name, texts in (("direct", direct), ("VS-Standard", verbalized)):
    print(
        f"{name:14s}{semantic_diversity(texts, embeddings):10.3f}"
        f"{lexical_diversity(texts):10.3f}{distinct_n(texts, 2):12.3f}"
        f"{vendi_score(texts, embeddings):8.2f}"
    )
print("\nfirst three of each:")
for name, texts in (("direct", direct), ("VS-Standard", verbalized)):
    for text in texts[:3]:
        print(f"  {name:12s} {' '.join(text.split())[:100]}")
