"""Models by name: the one resolver, the faces and functions that take a name, the CLI's flags.

No network: a name builds a ``ChatOpenAI`` client (which connects only when called); ``"local"``
is routed at its seam (``langchain_vs.local._server.local_chat_model``) to a FAKE chat model,
so no server starts. The real local model by name runs in the integration suite.
"""

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from langchain_core.messages import HumanMessage
from langchain_openai import ChatOpenAI

from langchain_vs import (
    LLMJudge,
    PairwiseJudge,
    Persona,
    VerbalizedChatModel,
    VerbalizedNode,
    VerbalizedSampler,
    create_diverse_rag_chain,
    create_persona_simulation,
    generate_dataset,
    verbalize,
)
from langchain_vs.cli import _main as cli
from langchain_vs.cli import _shared
from langchain_vs.local import resolve_chat_model

from .fake_models import FakeRetriever, ScriptedFakeChatModel, vs_json

# ChatOpenAI's constructor probes which socket options this OS supports (a socket it never
# connects); pytest-socket blocks the probe and ChatOpenAI goes on without them.
pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket.socket:UserWarning")

ENDPOINT = "http://127.0.0.1:9/v1"  # never called: building a client opens no connection


@pytest.fixture
def openai_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")


@pytest.fixture
def local_seam(monkeypatch):
    """Route "local" to a FAKE chat model; record the settings the resolver passed."""
    calls = []

    def fake_local_chat_model(**settings):
        calls.append(settings)
        return ScriptedFakeChatModel(replies=[vs_json([("Tea", 0.7), ("Coffee", 0.3)])] * 4)

    monkeypatch.setattr("langchain_vs.local._server.local_chat_model", fake_local_chat_model)
    return calls


# -- the resolver ----------------------------------------------------------------------------


def test_a_model_object_is_returned_unchanged():
    fake = ScriptedFakeChatModel(replies=[])
    assert resolve_chat_model(fake) is fake
    assert resolve_chat_model(fake, temperature=0.1) is fake  # settings are for names only


@pytest.mark.usefixtures("openai_key")
@pytest.mark.parametrize("name", ["openai:gpt-4.1-mini", "gpt-4.1-mini", "  openai:gpt-4.1-mini "])
def test_a_name_goes_through_init_chat_model(name):
    model = resolve_chat_model(name, temperature=0.3)
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "gpt-4.1-mini" and model.temperature == 0.3


def test_local_names_the_embedded_model(local_seam):
    model = resolve_chat_model("local", n_ctx=4096, temperature=1.0)
    assert isinstance(model, ScriptedFakeChatModel)
    assert local_seam == [{"n_ctx": 4096, "temperature": 1.0}]


@pytest.mark.parametrize("wrong", [42, None, 1.5, ["openai:gpt-4.1-mini"], b"local"])
def test_a_wrong_type_says_what_is_accepted(wrong):
    with pytest.raises(TypeError, match=r"BaseChatModel\), 'local', or a 'provider:model'"):
        resolve_chat_model(wrong)


@pytest.mark.parametrize("empty", ["", "   ", "\n"])
def test_an_empty_name_is_refused(empty):
    with pytest.raises(ValueError, match="model is an empty string; give"):
        resolve_chat_model(empty)


@pytest.mark.parametrize("name", ["openai", "openai:", "anthropic:  ", "OpenAI"])
def test_a_provider_without_a_model(name):
    with pytest.raises(ValueError, match=r"names a provider but no model: use '\w+:MODEL'"):
        resolve_chat_model(name)


def test_an_unknown_provider_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown provider 'nosuchprovider'") as info:
        resolve_chat_model("nosuchprovider:x")
    assert "'local'" in str(info.value) and "anthropic" in str(info.value)
    assert "openai" in str(info.value).split("providers:")[1]


@pytest.mark.parametrize("typo", ["Local", "loca", "lokal"])
def test_a_typo_of_local_says_local_is_accepted(typo):
    with pytest.raises(ValueError, match=f"model '{typo}': no provider fits this name.*'local'"):
        resolve_chat_model(typo)


def test_a_missing_provider_package_names_its_pip_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "langchain_anthropic", None)  # not importable
    with pytest.raises(ImportError) as info:
        resolve_chat_model("anthropic:claude-sonnet-4-5")
    assert str(info.value) == (
        "model 'anthropic:claude-sonnet-4-5' needs the langchain-anthropic package: "
        "pip install langchain-anthropic"
    )


def test_a_missing_module_without_a_pip_line_is_named(monkeypatch):
    def init_chat_model(name, **settings):
        raise ModuleNotFoundError("No module named 'langchain_foo.chat'", name="langchain_foo.chat")

    monkeypatch.setattr("langchain.chat_models.init_chat_model", init_chat_model)
    with pytest.raises(ImportError, match=r"pip install langchain-foo$"):
        resolve_chat_model("foo:bar")


@pytest.mark.usefixtures("openai_key")
def test_a_providers_own_setting_check_is_not_rewritten():
    with pytest.raises(ValueError, match="temperature") as info:
        resolve_chat_model("openai:gpt-4.1-mini", temperature="hot")
    assert "provider" not in str(info.value)


def test_base_url_takes_the_endpoints_own_name(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = resolve_chat_model("qwen2.5:0.5b", base_url=ENDPOINT, temperature=0.2)
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "qwen2.5:0.5b"  # verbatim: a colon is part of Ollama's names
    assert model.openai_api_base == ENDPOINT and model.temperature == 0.2
    assert model.openai_api_key is not None
    assert model.openai_api_key.get_secret_value() == "unused"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-endpoint")
    keyed = resolve_chat_model("m", base_url=ENDPOINT)
    assert isinstance(keyed, ChatOpenAI) and keyed.openai_api_key is not None
    assert keyed.openai_api_key.get_secret_value() == "sk-endpoint"


@pytest.mark.parametrize("url", ["127.0.0.1:8080/v1", "ftp://host/v1", "", "http://", "localhost"])
def test_a_base_url_that_is_not_http_is_refused(url):
    with pytest.raises(ValueError, match="base_url must be an http\\(s\\) URL"):
        resolve_chat_model("m", base_url=url)


def test_local_with_a_base_url_is_refused():
    with pytest.raises(ValueError, match="not 'local'"):
        resolve_chat_model("local", base_url=ENDPOINT)


@pytest.mark.usefixtures("openai_key")
def test_concurrent_resolution_gives_each_caller_its_own_client():
    with ThreadPoolExecutor(8) as pool:
        models = list(pool.map(lambda _: resolve_chat_model("openai:gpt-4.1-mini"), range(16)))
    assert all(isinstance(m, ChatOpenAI) for m in models)
    assert len({id(m) for m in models}) == 16


# -- faces and functions take a name ---------------------------------------------------------


@pytest.mark.usefixtures("openai_key")
def test_the_faces_take_a_name():
    sampler = VerbalizedSampler(model="openai:gpt-4.1-mini", k=3)
    assert isinstance(sampler.model, ChatOpenAI) and sampler.model.model_name == "gpt-4.1-mini"
    chat = VerbalizedChatModel(model="openai:gpt-4.1-mini", k=3, temperature=0.2)
    assert isinstance(chat.model, ChatOpenAI)
    inner = chat.inner_model()
    assert isinstance(inner, ChatOpenAI) and inner.temperature == 0.2
    node = VerbalizedNode("openai:gpt-4.1-mini", Persona(name="Ann", description="a chemist"))
    assert isinstance(node.model, ChatOpenAI)


@pytest.mark.usefixtures("openai_key")
def test_the_judges_take_a_name(local_seam):
    judge = LLMJudge("openai:gpt-4.1-mini", rubric="Is it funny?")
    assert isinstance(judge.chat.model, ChatOpenAI)
    assert judge.chat.model.model_name == "gpt-4.1-mini"
    pairwise = PairwiseJudge("local", rubric="Which is funnier?")
    assert isinstance(pairwise.chat.model, ScriptedFakeChatModel) and len(local_seam) == 1


@pytest.mark.parametrize(
    ("wrong", "error"), [(42, TypeError), ("", ValueError), ("nosuchprovider:x", ValueError)]
)
def test_the_faces_refuse_a_bad_model(wrong, error):
    for face in (VerbalizedSampler, VerbalizedChatModel):
        with pytest.raises(error, match="'local'"):
            face(model=wrong, k=3)
    with pytest.raises(error, match="'local'"):
        VerbalizedNode(wrong)


def test_verbalize_takes_local(local_seam):
    distribution = verbalize("A hot drink?", model="local", k=2)
    assert [c.text for c in distribution] == ["Tea", "Coffee"]
    assert local_seam == [{"n_ctx": None}]


def test_a_simulation_resolves_its_model_once(local_seam):
    personas = [Persona(name=n, description="a chemist") for n in ("Ann", "Ben", "Cy")]
    create_persona_simulation(personas, "local", max_turns=3)
    assert len(local_seam) == 1


def test_generate_dataset_takes_local(local_seam):
    result = generate_dataset("local", "A drink?", n=2, k=2, max_concurrency=1)
    assert result.report.unique_records == 2 and len(local_seam) == 1


def test_the_rag_chain_takes_local(local_seam):
    chain = create_diverse_rag_chain(FakeRetriever(documents=[]), "local", k=2)
    assert len(local_seam) == 1 and chain is not None


def test_a_bad_model_is_refused_before_any_call():
    with pytest.raises(TypeError, match="'local'"):
        generate_dataset(42, "A drink?", n=2)  # type: ignore[arg-type]


# -- the CLI's --model and --base-url ----------------------------------------------------------


@pytest.mark.parametrize("command", [["sample", "x"], ["bench"], ["generate", "x", "-n", "2"]])
def test_every_command_takes_base_url_and_a_model_name(command, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    args = cli.build_parser().parse_args(
        [*command, "--base-url", ENDPOINT, "--model", "llama3.2:1b", "--temperature", "1.1"]
    )
    model = _shared.chat_model(args)
    assert isinstance(model, ChatOpenAI) and model.model_name == "llama3.2:1b"
    assert model.openai_api_base == ENDPOINT and model.temperature == 1.1
    assert not _shared.is_local(args)


def test_the_cli_passes_n_ctx_to_local_only(local_seam):
    args = cli.build_parser().parse_args(["sample", "x", "--n-ctx", "4096"])
    assert args.model == "local" and args.base_url is None and _shared.is_local(args)
    _shared.chat_model(args)
    assert local_seam == [{"n_ctx": 4096, "temperature": 0.7}]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--base-url", ENDPOINT], "not 'local'"),
        (["--base-url", "localhost:8080"], "base_url must be an http(s) URL"),
        (["--model", "openai"], "use 'openai:MODEL'"),
        (["--model", ""], "model is an empty string"),
    ],
)
def test_cli_model_mistakes_are_one_line(flags, message, capsys):
    assert cli.main(["sample", "x", *flags]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_a_context_overflow_on_an_endpoint_does_not_blame_n_ctx(capsys, monkeypatch):
    def too_long(args):
        error = ValueError("the request exceeds the available context size, try increasing it")
        return ScriptedFakeChatModel(replies=[error])

    monkeypatch.setattr(_shared, "chat_model", too_long)
    assert cli.main(["sample", "x", "--base-url", ENDPOINT, "--model", "m"]) == 1
    assert "--n-ctx" not in capsys.readouterr().err


def test_a_message_is_what_the_faces_send():
    # The names are resolved before the engine is built: a HumanMessage reaches a FAKE model.
    fake = ScriptedFakeChatModel(replies=[vs_json([("Tea", 1.0)])])
    assert VerbalizedSampler(model=fake, k=1).invoke([HumanMessage("A drink?")]).content == "Tea"
