import json

import pytest

from langchain_vs.cli import _main as cli
from langchain_vs.cli import _shared

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
        ["sample", "x", "--temperature", "inf"],
        ["sample", "x", "-k", "1.5"],
        ["sample", "x", "--min-probability", "nan"],
        ["bench", "-k", "0"],
        ["generate", "x", "-n", "1", "--temperature", "nan"],
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
    def too_long(args):
        error = ValueError("the request exceeds the available context size, try increasing it")
        return ScriptedFakeChatModel(replies=[error])

    monkeypatch.setattr(_shared, "chat_model", too_long)
    assert cli.main(["sample", "x", "--n-ctx", "2048"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--n-ctx (now 2048" in err and "LANGCHAIN_VS_N_CTX" in err


def test_errors_are_one_line_without_traceback(capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert cli.main(["sample", "x", "--model", "openai:gpt-4.1-mini"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "OPENAI_API_KEY" in err and "Traceback" not in err
    assert cli.main(["sample", "x", "--model", "bogus"]) == 1
    assert "model 'bogus': no provider fits this name" in capsys.readouterr().err


def test_debug_shows_the_traceback():
    with pytest.raises(ValueError, match="model 'bogus'"):
        cli.main(["sample", "x", "--model", "bogus", "--debug"])


def _fake_model(monkeypatch, reply):
    """Route the command to a FAKE chat model (the real one is tested in integration)."""
    monkeypatch.setattr(
        _shared,
        "chat_model",
        lambda args: ScriptedFakeChatModel(replies=[reply]),
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


# -- generate (FAKE model; the real one runs it in the integration suite) ---------------------


def _fake_replies(monkeypatch, replies):
    monkeypatch.setattr(
        _shared,
        "chat_model",
        lambda args: ScriptedFakeChatModel(replies=replies),
    )


FOUR_CALLS = [vs_json([(f"item {c}.{i}", 0.5) for i in range(2)]) for c in range(4)]


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "x"],  # -n is required
        ["generate", "x", "-n", "0"],
        ["generate", "x", "-n", "3", "--dedup", "fuzzy"],
        ["generate", "x", "-n", "3", "--similarity-threshold", "0"],
        ["generate", "x", "-n", "3", "--max-concurrency", "0"],
    ],
)
def test_generate_bad_arguments_exit_2(args, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    assert info.value.code == 2 and "error: " in capsys.readouterr().err


def test_generate_prints_records_to_stdout_and_the_report_to_stderr(monkeypatch, capsys):
    _fake_replies(monkeypatch, FOUR_CALLS)
    args = ["generate", "A", "B", "-n", "3", "-k", "2", "--max-concurrency", "1"]
    assert cli.main([*args, "--embeddings", "hashed"]) == 0
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["text"] for r in records] == ["item 0.0", "item 0.1", "item 1.0"]
    assert [r["prompt"] for r in records] == ["A", "A", "B"]
    assert "unique records" in captured.err and "3 (0 resumed)" in captured.err


def test_generate_to_a_file_then_resume_with_a_json_report(monkeypatch, capsys, tmp_path):
    out = tmp_path / "data.jsonl"
    _fake_replies(monkeypatch, FOUR_CALLS)
    base = ["generate", "A", "-k", "2", "--embeddings", "hashed", "--out", str(out), "--json"]
    assert cli.main([*base, "-n", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["unique_records"] == 2
    assert cli.main([*base, "-n", "4"]) == 1  # the file has records: not overwritten
    assert "pass resume=True" in capsys.readouterr().err
    assert cli.main([*base, "-n", "4", "--resume"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["unique_records"], report["resumed"]) == (4, 2)
    assert len(out.read_text().splitlines()) == 4


def test_generate_loads_a_schema_by_module_and_class(monkeypatch, capsys, tmp_path):
    (tmp_path / "my_schemas.py").write_text(
        "from pydantic import BaseModel\n\nclass City(BaseModel):\n    name: str\n"
    )
    monkeypatch.chdir(tmp_path)
    reply = json.dumps({"responses": [{"value": {"name": "Oslo"}, "probability": 1.0}]})
    _fake_replies(monkeypatch, [reply])
    args = [
        "generate",
        "A city.",
        "-n",
        "1",
        "--schema",
        "my_schemas:City",
        "--embeddings",
        "hashed",
    ]
    assert cli.main(args) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["value"] == {"name": "Oslo"}


def _no_model(monkeypatch):
    def no_model(args):
        raise AssertionError("the model was started")

    monkeypatch.setattr(_shared, "chat_model", no_model)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module:City", "No module named 'no_such_module'; give module:Class"),
        ("json:Nope", "has no attribute 'Nope'; give module:Class"),
        ("City", "give module:Class (a pydantic model or TypedDict"),
        ("missing.json", "cannot read a JSON schema"),
        ("not_json.json", "cannot read a JSON schema"),
        ("array.json", 'must describe a JSON object ("type": "object"'),
        ("json:dumps", "schema must be a pydantic model class, a TypedDict or a JSON-schema dict"),
        ("json:JSONDecoder", "schema must be a pydantic model class"),
        ("broken_schemas:City", "importing broken_schemas failed: RuntimeError: no network"),
    ],
)
def test_a_bad_schema_exits_2_before_any_model_starts(spec, message, monkeypatch, capsys, tmp_path):
    (tmp_path / "not_json.json").write_text("{nope")
    (tmp_path / "array.json").write_text('{"type": "array"}')
    (tmp_path / "broken_schemas.py").write_text("raise RuntimeError('no network')\n")
    monkeypatch.chdir(tmp_path)
    _no_model(monkeypatch)
    with pytest.raises(SystemExit) as info:
        cli.main(["generate", "x", "-n", "1", "--schema", spec])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "argument --schema: " in err and message in err


@pytest.mark.parametrize(
    "args",
    [
        ["sample", ""],
        ["sample", "  \n\t"],
        ["generate", "", "-n", "1"],
        ["generate", "A good prompt.", " ", "-n", "1"],
    ],
)
def test_an_empty_prompt_exits_2_before_any_model_starts(args, monkeypatch, capsys):
    _no_model(monkeypatch)
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "the prompt is empty: give the request to answer" in err


def test_generate_patience_stops_a_model_that_repeats_itself(monkeypatch, capsys):
    _fake_replies(monkeypatch, [vs_json([("same", 1.0)])])
    args = ["generate", "A", "-n", "50", "-k", "2", "--patience", "3", "--max-concurrency", "1"]
    assert cli.main([*args, "--embeddings", "hashed", "--json"]) == 0
    report = json.loads(capsys.readouterr().err.splitlines()[-1])
    assert (report["stopped"], report["calls"], report["unique_records"]) == (
        "no_new_records",
        4,
        1,
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--resume"], "--resume continues the records in a file: give --out"), ([], "is a folder")],
)
def test_generate_out_mistakes_are_named_before_the_model_starts(
    extra, message, monkeypatch, capsys, tmp_path
):
    def no_model(args):
        raise AssertionError("the model was started")

    monkeypatch.setattr(_shared, "chat_model", no_model)
    out = [] if extra else ["--out", str(tmp_path)]
    assert cli.main(["generate", "A", "-n", "3", *out, *extra]) == 1
    assert message in capsys.readouterr().err


def test_generate_patience_must_be_positive(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["generate", "x", "-n", "3", "--patience", "0"])
    assert info.value.code == 2 and "--patience" in capsys.readouterr().err


def test_generate_interrupted_says_where_the_records_are_and_how_to_go_on(
    monkeypatch, capsys, tmp_path
):
    out = tmp_path / "data.jsonl"

    class CtrlCOnSecondCall(ScriptedFakeChatModel):
        """FAKE: the first call answers; Ctrl-C comes during the second."""

        def _generate(self, *args, **kwargs):
            if self.calls:
                raise KeyboardInterrupt
            return super()._generate(*args, **kwargs)

    monkeypatch.setattr(_shared, "chat_model", lambda a: CtrlCOnSecondCall(replies=FOUR_CALLS))
    args = ["generate", "A", "-n", "8", "-k", "2", "--max-concurrency", "1", "--out", str(out)]
    assert cli.main([*args, "--embeddings", "hashed"]) == 130
    err = capsys.readouterr().err
    assert f"interrupted: the records so far are saved in {out} (2 unique)" in err
    assert "--resume" in err and len(out.read_text().splitlines()) == 2


# -- population (FAKE model; the real one runs it in the integration suite) -------------------


def _member_reply(*names: str) -> str:
    members = [
        {
            "value": {
                "name": name,
                "role": f"job {position}",
                "background": "local",
                "stance": "for",
                "speaking_style": "plain",
            },
            "probability": 1 / len(names),
        }
        for position, name in enumerate(names)
    ]
    return json.dumps({"responses": members})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["population", " ", "-n", "3"], "the description is empty"),
        (["population", "townsfolk", "-n", "0"], "must be from 1 to 1000, got 0"),
        (["population", "townsfolk", "-n", "1001"], "must be from 1 to 1000, got 1001"),
        (["population", "townsfolk", "-n", "3", "--schema", "town_schemas:Town"], "no 'name'"),
        (["population", "townsfolk", "-n", "3", "--schema", "json:dumps"], "pydantic model"),
    ],
)
def test_population_bad_arguments_exit_2_before_any_model_starts(
    args, message, monkeypatch, capsys, tmp_path
):
    (tmp_path / "town_schemas.py").write_text(
        "from pydantic import BaseModel\n\nclass Town(BaseModel):\n    size: int\n"
    )
    monkeypatch.chdir(tmp_path)
    _no_model(monkeypatch)
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2 and message in err


def test_population_prints_personas_that_a_simulation_takes(monkeypatch, capsys):
    _fake_replies(monkeypatch, [_member_reply("Ann", "ann", "Bo"), _member_reply("Cy")])
    args = ["population", "townsfolk", "-n", "3", "-k", "3", "--dedup", "exact", "--seed", "1"]
    assert cli.main([*args, "--max-concurrency", "1", "--embeddings", "hashed"]) == 0
    captured = capsys.readouterr()
    personas = [json.loads(line) for line in captured.out.splitlines()]
    assert [p["name"] for p in personas] == ["Ann", "Bo", "Cy"]
    assert personas[0]["description"].startswith("Role: job 0. Background: local.")
    assert personas[0]["profile"]["stance"] == "for"
    assert "1 repeated field" in captured.err  # "ann": the name again

    from langchain_vs import Persona

    assert [Persona.model_validate(p).name for p in personas] == ["Ann", "Bo", "Cy"]


def test_population_to_a_file_then_resume(monkeypatch, capsys, tmp_path):
    out = tmp_path / "town.jsonl"
    _fake_replies(monkeypatch, [_member_reply("Ann", "Bo"), _member_reply("Cy", "Di")])
    base = ["population", "townsfolk", "-k", "2", "--dedup", "exact", "--out", str(out), "--json"]
    assert cli.main([*base, "-n", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["unique_records"] == 2
    assert cli.main([*base, "-n", "4", "--resume", "--max-concurrency", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["resumed"] == 2

    from langchain_vs.graph import read_population

    assert [p.name for p in read_population(out)] == ["Ann", "Bo", "Cy", "Di"]
