"""Fleet targets from a ``for_each`` env: what each target keeps (its URL over flag values
shared by equal envs), and what a command that needs no env objects lets go."""

from __future__ import annotations

import textwrap

from atoll.cli.options import Invocation
from atoll.fleet.targets import build_targets
from atoll.project import load_project

PROJECT = '''
env "fleet" {
  for_each = toset(["a", "b", "c", "t1"])
  url = "sqlite://${each.value}.db"
  tenant = each.value
  migration {
    dir = "file://migrations/${substr(each.value, 0, 1) == "t" ? "tenants" : "shards"}"
  }
}
'''


def invocation(tmp_path):
    (tmp_path / "atlas.hcl").write_text(textwrap.dedent(PROJECT))
    project = load_project("file://atlas.hcl", env="fleet", cwd=str(tmp_path))
    values = {"url": "", "dir": "file://migrations", "baseline": "", "revisions_schema": "",
              "lock_timeout": "10s", "exec_order": "linear", "format_": "", "partition": None}
    return Invocation("migrate apply", values, envs=list(project.envs), project=project)


def test_for_each_copies_share_their_equal_parts(tmp_path):
    envs = invocation(tmp_path).envs
    assert [e.migration.dir for e in envs] == ["file://migrations/shards"] * 3 + [
        "file://migrations/tenants"]
    assert envs[0].migration is envs[1].migration is envs[2].migration
    assert envs[3].migration is not envs[2].migration
    assert envs[0].extra == {"tenant": "a"} and envs[1].extra == {"tenant": "b"}


def test_targets_keep_their_url_over_shared_settings(tmp_path):
    inv = invocation(tmp_path)
    targets = build_targets(inv)
    assert [(t.name, t.url) for t in targets] == [(n, f"sqlite://{n}.db")
                                                   for n in ("a", "b", "c", "t1")]
    for t in targets:
        assert t.settings["url"] == t.url and t.settings.get("url") == t.url
        assert dict(t.settings)["url"] == t.url and "url" in t.settings
        assert len(t.settings) == len(dict(t.settings)) == len(inv.values)
    assert [t.settings["dir"] for t in targets] == ["file://migrations/shards"] * 3 + [
        "file://migrations/tenants"]
    assert targets[1].settings._rest is targets[2].settings._rest  # one mapping of the rest
    assert targets[3].settings._rest is not targets[2].settings._rest
    assert all(t.env is not None for t in targets) and len(inv.envs) == 4


def test_a_command_that_needs_no_env_objects_lets_them_go(tmp_path):
    inv = invocation(tmp_path)
    first = inv.envs[0]
    targets = build_targets(inv, keep_envs=False)
    assert [t.settings["dir"] for t in targets][-1] == "file://migrations/tenants"
    assert all(t.env is None for t in targets)
    assert inv.envs == [first] and inv.project.envs == [first]
