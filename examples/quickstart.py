"""Verbalized Sampling as a chain component, on the embedded local model (offline).

Run: .venv/bin/python examples/quickstart.py
With OPENAI_API_KEY set, the same code runs on OpenAI instead.
"""

from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from langchain_vs import VerbalizedOutputParser, VerbalizedSampler
from langchain_vs.local import default_chat_model

model = default_chat_model()

# 1. A drop-in Runnable: prompt | sampler | parser, like any chat model.
prompt = ChatPromptTemplate.from_messages([("human", "Write a one-line joke about {topic}.")])
chain = prompt | VerbalizedSampler(model=model, k=5, seed=7) | StrOutputParser()
print("picked:", chain.invoke({"topic": "coffee"}))

# 2. The whole distribution, to inspect or to draw from yourself.
sampler = VerbalizedSampler(model=model, k=5, output="distribution")
distribution = sampler.invoke("Name a color for a new car.")
print(distribution.to_markdown(chosen=distribution.sample(seed=1)))

# 3. Candidates as they complete, then the pick.
for candidate in VerbalizedSampler(model=model, k=3, output="candidate", seed=2).stream(
    "Suggest a name for a cat."
):
    print(f"  #{candidate.index} p={candidate.probability:.2f} {candidate.text!r}")

# 4. The parser on its own: here on a reply in the numbered-list style larger models write in
#    plain text (the tiny local model only follows the format under structured output).
parser = VerbalizedOutputParser(k=3)
reply = "Here you go:\n1. Nile (probability: 45%)\n2. Amazon — 35%\n3. Danube (probability: 20)"
for candidate in parser.parse(reply):
    print(f"  {candidate.text}: {candidate.probability:.2f} (raw {candidate.raw_probability!r})")
