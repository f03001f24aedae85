"""Measure diversity on your own model: direct prompting vs Verbalized Sampling (offline).

Run: .venv/bin/python examples/measure_diversity.py
Eight answers to one prompt each way — eight direct calls, and the picks of eight VS calls —
scored with the metrics in langchain_vs.metrics. Semantic diversity uses MiniLMEmbeddings (the
`embeddings` extra). The model is the embedded SmolLM2 (or OpenAI with OPENAI_API_KEY).
"""

from langchain_vs import MiniLMEmbeddings, VerbalizedSampler
from langchain_vs.local import default_chat_model
from langchain_vs.metrics import distinct_n, lexical_diversity, semantic_diversity, vendi_score

PROMPT = "Write a one-sentence opening for a story about a lighthouse."
SAMPLES = 8

model = default_chat_model()
embeddings = MiniLMEmbeddings()
direct = [model.invoke(PROMPT).text for _ in range(SAMPLES)]
sampler = VerbalizedSampler(model=model, k=5)
verbalized = [sampler.invoke(PROMPT).text for _ in range(SAMPLES)]

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
