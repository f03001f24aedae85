"""Several distinct, grounded answers from a retriever, on the embedded local model (offline).

Run: .venv/bin/python examples/rag_diversify.py
The corpus (examples/data/tides.txt) ships with the example; embeddings are the offline
default (MiniLM from the `embeddings` extra, else hashed n-grams), the model the embedded SmolLM2
(or OpenAI with OPENAI_API_KEY).
"""

from pathlib import Path

from langchain_core.documents import Document
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_vs import create_diverse_rag_chain
from langchain_vs.eval import default_embeddings
from langchain_vs.local import default_chat_model

corpus = (Path(__file__).parent / "data" / "tides.txt").read_text().split("\n\n")
documents = [Document(text.strip(), id=f"tides-{i}") for i, text in enumerate(corpus)]
store = InMemoryVectorStore(default_embeddings())
store.add_documents(documents)
retriever = store.as_retriever(search_kwargs={"k": 3})
model = default_chat_model()

chain = create_diverse_rag_chain(retriever, model, k=4, merge_threshold=0.9, seed=1)
for question in ("What causes tides?", "Why are some tides bigger than others?"):
    result = chain.invoke(question)
    print(f"Q: {question}")
    print("   retrieved:", [doc.id for doc in result.documents])
    for answer in result.answers:
        grounded = (
            "grounded in " + ", ".join(map(str, answer.source_ids))
            if answer.grounded
            else "not grounded"
        )
        print(f"   {answer.probability:.2f}  {answer.text}  ({grounded})")

# One answer only, to drop into an existing chain:
pick = create_diverse_rag_chain(retriever, model, k=4, selection="sample", seed=3)
print("picked:", pick.invoke("How much does the Sun add to the tides?"))
