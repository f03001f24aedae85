"""VerbalizedChatModel as a drop-in chat model: in a chain and in a LangGraph node (offline).

Run: .venv/bin/python examples/drop_in_chat_model.py
"""

from langchain_core.messages import HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langgraph.graph import START, MessagesState, StateGraph

from langchain_vs import VerbalizedChatModel
from langchain_vs.local import default_chat_model

model = VerbalizedChatModel(model=default_chat_model(), k=5, seed=3)

# In a chain, exactly where a chat model goes.
prompt = ChatPromptTemplate.from_messages(
    [("system", "You name things."), ("human", "Name a {thing}.")]
)
chain = prompt | model | StrOutputParser()
for thing in ("color", "fruit", "planet"):
    print(f"{thing}: {chain.invoke({'thing': thing})}")


# In a LangGraph node, unchanged graph code.
def assistant(state: MessagesState) -> dict[str, list]:
    return {"messages": [model.invoke(state["messages"])]}


graph = StateGraph(MessagesState).add_node("assistant", assistant)
graph.add_edge(START, "assistant")
reply = graph.compile().invoke({"messages": [HumanMessage("Suggest a name for a boat.")]})
answer = reply["messages"][-1]
record = answer.response_metadata["verbalized_sampling"]
print("boat:", answer.content)
print("  drawn from:", [c["text"] for c in record["candidates"]])
print("  tokens used:", answer.usage_metadata["total_tokens"], "in", record["model_calls"], "call")
