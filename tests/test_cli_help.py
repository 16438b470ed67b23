"""Help texts: every command and option says what it does, no summary is cut short, and
positional arguments are explained."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import click
import pytest

from atoll.cli.main import COMMANDS, SHORT_HELP

ATOLL = str(Path(sys.executable).with_name("atoll"))


def commands():
    for group, names in COMMANDS.items():
        for name, target in names.items():
            module, _, attr = target.partition(":")
            yield f"{group} {name}", getattr(importlib.import_module(module), attr)


@pytest.mark.parametrize("args", [[], ["schema"], ["migrate"], ["report"]])
def test_listings_are_not_cut(args):
    out = subprocess.run([ATOLL, *args, "--help"], capture_output=True, text=True,
                         env={"COLUMNS": "80", "PATH": ""}).stdout
    assert "Commands:" in out
    listed = out.split("Commands:", 1)[1].strip().splitlines()
    assert listed and not [line for line in listed if line.rstrip().endswith("...")], out


@pytest.mark.parametrize("path,command", list(commands()))
def test_every_command_option_and_argument_is_documented(path, command):
    assert path in SHORT_HELP, f"{path}: no summary in SHORT_HELP"
    assert command.help, f"{path}: no help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{path} {param.opts[-1]}: no help"
        if isinstance(param, click.Argument):
            assert param.name.upper() in command.help, f"{path}: argument {param.name} undocumented"


def test_version_flag_and_command_agree():
    flag = subprocess.run([ATOLL, "--version"], capture_output=True, text=True).stdout
    cmd = subprocess.run([ATOLL, "version"], capture_output=True, text=True).stdout
    assert flag == cmd and flag.startswith("atoll version v")


def test_help_shows_real_defaults_only():
    out = subprocess.run([ATOLL, "migrate", "apply", "--help"], capture_output=True,
                         text=True).stdout
    assert "[default: file://migrations]" in out and "[default: file]" in out
    assert '[default: ""]' not in out and "[default: False]" not in out


CLICK_RUN = "import sys; from atoll.cli.tree import run; run(sys.argv[1:])"


@pytest.mark.parametrize("columns", ["80", "200", "60"])
@pytest.mark.parametrize("args", [[], ["--help"], ["-h"], ["version"], ["--version"]])
def test_answers_without_click_match_click(args, columns):
    env = {"COLUMNS": columns, "PATH": ""}
    quick = subprocess.run([ATOLL, *args], capture_output=True, text=True, env=env)
    full = subprocess.run([sys.executable, "-c", CLICK_RUN, *args], capture_output=True,
                          text=True, env=env)
    assert quick.returncode == full.returncode == 0, quick.stderr + full.stderr
    assert quick.stdout == full.stdout


def test_help_and_version_do_not_import_click():
    code = ("import sys\nfrom atoll.cli.main import main\nfor args in (['--help'], ['version']):\n"
            "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
            "print('click' in sys.modules, 'typing' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"COLUMNS": "100", "PATH": ""}).stdout
    assert out.splitlines()[-1] == "False False", out
