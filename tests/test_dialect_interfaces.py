"""Driver hooks are declared interfaces: every engine's revisions hook implements
``RevisionsHook``, and a hook or analyzer that leaves an abstract method out cannot be built."""

from __future__ import annotations

import importlib

import pytest

from atoll.dialects.server import ServerRevisions
from atoll.migrate.lint.analyzers import Analyzer
from atoll.migrate.revisions import RevisionsHook


@pytest.mark.parametrize("engine", ["sqlite", "postgres", "mysql"])
def test_every_engine_hook_implements_the_protocol(engine):
    hook = importlib.import_module(f"atoll.dialects.{engine}.revisions").HOOK
    assert isinstance(hook, RevisionsHook)
    assert hook.name == engine


def test_a_server_hook_missing_its_sql_cannot_be_built():
    class Half(ServerRevisions):
        name = "half"

    with pytest.raises(TypeError, match="abstract"):
        Half()


def test_an_analyzer_without_analyze_cannot_be_built():
    class Silent(Analyzer):
        name = "silent"

    with pytest.raises(TypeError, match="analyze"):
        Silent()
