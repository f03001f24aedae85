import json

import pytest

from langchain_vs import cli

from .fake_models import ScriptedFakeChatModel, vs_json


@pytest.mark.parametrize(
    "args",
    [
        ["sample", "x", "-k", "0"],
        ["sample", "x", "-k", "99"],
        ["sample", "x", "--tail-threshold", "2"],
        ["sample", "x", "--method", "best"],
        ["bench", "--embeddings", "bert"],
        ["sample", "x", "--temperature", "-1"],
        ["sample", "x", "--temperature", "nan"],
        ["sample", "x", "--n-ctx", "0"],
    ],
)
def test_bad_arguments_exit_2_before_any_model_starts(args, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    # What was wrong and where to look, not the whole usage block.
    assert err.count("\n") == 2 and "error: argument" in err and "--help" in err


def test_help_lists_debug_and_the_context_option(capsys):
    with pytest.raises(SystemExit):
        cli.main(["sample", "--help"])
    out = capsys.readouterr().out
    assert "--debug" in out and "--n-ctx" in out and "LANGCHAIN_VS_N_CTX" in out


def test_a_context_overflow_says_how_to_raise_the_context(capsys, monkeypatch):
    def too_long(spec, temperature, n_ctx):
        error = ValueError("the request exceeds the available context size, try increasing it")
        return ScriptedFakeChatModel(replies=[error])

    monkeypatch.setattr(cli, "_model", too_long)
    assert cli.main(["sample", "x", "--n-ctx", "2048"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--n-ctx (now 2048" in err and "LANGCHAIN_VS_N_CTX" in err


def test_errors_are_one_line_without_traceback(capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert cli.main(["sample", "x", "--model", "openai:gpt-4.1-mini"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs OPENAI_API_KEY" in err and "Traceback" not in err
    assert cli.main(["sample", "x", "--model", "bogus"]) == 1
    assert "unknown --model 'bogus'" in capsys.readouterr().err
    assert cli.main(["sample", "   "]) == 1
    assert "prompt is empty" in capsys.readouterr().err


def test_debug_shows_the_traceback():
    with pytest.raises(ValueError, match="unknown --model"):
        cli.main(["sample", "x", "--model", "bogus", "--debug"])


def _fake_model(monkeypatch, reply):
    """Route the command to a FAKE chat model (the real one is tested in integration)."""
    monkeypatch.setattr(
        cli, "_model", lambda spec, temperature, n_ctx: ScriptedFakeChatModel(replies=[reply])
    )


def test_json_output(monkeypatch, capsys):
    _fake_model(monkeypatch, vs_json([("Tea", 0.7), ("Coffee", 0.3)]))
    assert cli.main(["sample", "A drink?", "-k", "2", "--selection", "argmax", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["text"] == "Tea" and data["chosen_index"] == 0
    assert [c["text"] for c in data["candidates"]] == ["Tea", "Coffee"]


def test_table_output_marks_the_pick(monkeypatch, capsys):
    _fake_model(monkeypatch, vs_json([("Tea", 0.7), ("Coffee", 0.3)]))
    assert cli.main(["sample", "A drink?", "-k", "2", "--selection", "argmax"]) == 0
    out = capsys.readouterr().out
    assert "▶ 0" in out and "70.0%" in out and "Coffee" in out and "picked #0" in out


def test_the_documented_bench_flags_parse():
    # The spelling users were given: --k as well as -k.
    args = cli.build_parser().parse_args(
        [
            "bench",
            "--model",
            "local",
            "--tasks",
            "joke,poem,story,dice,states",
            "--methods",
            "direct,direct_cot,sequence,multi_turn,vs_standard,vs_cot,vs_multi",
            "--samples",
            "3",
            "--k",
            "4",
            "--out",
            "results",
        ]
    )
    assert args.k == 4 and args.samples == 3 and args.out == "results"
    assert args.tasks == ["joke", "poem", "story", "dice", "states"]
    assert [m.value for m in args.methods][-1] == "vs_multi"
    assert cli.build_parser().parse_args(["sample", "x", "--k", "3"]).k == 3
