"""The package installs and the `lowalt` command answers.

Checked through the console script entry point, as an operator calls it.
"""
from planner.cli.main import build_parser, main


def test_every_documented_command_is_registered():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == {"plan", "validate", "verify", "map", "export", "schema", "demo", "replan"}


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "lowalt" in capsys.readouterr().out
