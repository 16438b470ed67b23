"""deployment blocks (atoll extension): parsing, env references, planning."""

from __future__ import annotations

import textwrap

import pytest

from atoll.errors import ProjectError
from atoll.project import Deployment, DeploymentGroup, load_project

CONFIG = '''
variable "width" {
  type    = number
  default = 4
}
deployment "staged" {
  group "canary" {
    match    = ["sharding_1"]
    parallel = 1
    on_error = FAIL
  }
  group "rest" {
    match    = "sharding_*"
    parallel = var.width
    on_error = CONTINUE
  }
}
deployment "strings" {
  group "all" {
    match    = ["*"]
    on_error = "continue"
  }
}
env "sharding" {
  for_each   = toset(["sharding_1", "sharding_2", "sharding_3"])
  url        = "sqlite://${each.value}.db"
  deployment = deployment.staged
}
env "byname" {
  url        = "sqlite://x.db"
  deployment = "strings"
}
env "plain" {
  url = "sqlite://x.db"
}
env "typo" {
  url        = "sqlite://x.db"
  deployment = deployment.nope
}
'''


def load(tmp_path, text, env):
    (tmp_path / "atlas.hcl").write_text(textwrap.dedent(text))
    return load_project(env=env, variables={}, cwd=str(tmp_path))


def test_env_references_deployment(tmp_path):
    p = load(tmp_path, CONFIG, "sharding")
    dep = p.envs[0].deployment
    assert all(e.deployment is dep for e in p.envs)
    assert dep.name == "staged"
    assert dep.groups == (
        DeploymentGroup("canary", ("sharding_1",), 1, "fail"),
        DeploymentGroup("rest", ("sharding_*",), 4, "continue"),
    )
    assert p.deployment("staged") == dep
    assert set(p.deployment_names) == {"staged", "strings"}


def test_deployment_by_name_string(tmp_path):
    dep = load(tmp_path, CONFIG, "byname").envs[0].deployment
    assert dep.name == "strings" and dep.groups[0].on_error == "continue"
    assert dep.groups[0].parallel is None


def test_max_failures_goes_on_until_the_threshold(tmp_path):
    text = ('deployment "d" {\n  group "a" {\n    match = ["*"]\n    max_failures = 3\n  }\n'
            '  group "b" {\n    match = ["y"]\n    max_failures = 1\n    on_error = CONTINUE\n'
            '  }\n}\nenv "e" {\n  deployment = deployment.d\n}\n')
    dep = load(tmp_path, text, "e").envs[0].deployment
    assert dep.groups == (DeploymentGroup("a", ("*",), None, "continue", 3),
                          DeploymentGroup("b", ("y",), None, "continue", 1))
    assert DeploymentGroup("c", ("*",)).max_failures is None


def test_env_without_deployment(tmp_path):
    assert load(tmp_path, CONFIG, "plain").envs[0].deployment is None


def test_unknown_deployment_reference(tmp_path):
    with pytest.raises(Exception, match='does not have an attribute named "nope"'):
        load(tmp_path, CONFIG, "typo")


def test_plan_first_matching_group_and_implicit_rest(tmp_path):
    dep = load(tmp_path, CONFIG, "sharding").envs[0].deployment
    targets = ["master", "sharding_2", "sharding_1", "sharding_10", "other"]
    plan = dep.plan(targets)
    assert [(g.name, names) for g, names in plan] == [
        ("canary", ["sharding_1"]),
        ("rest", ["sharding_2", "sharding_10"]),
        ("unmatched", ["master", "other"]),
    ]
    assert plan[-1][0].on_error == "fail" and plan[-1][0].parallel is None


def test_plan_skips_empty_groups():
    dep = Deployment("d", (DeploymentGroup("a", ("x*",)), DeploymentGroup("b", ("y*",))))
    assert [(g.name, n) for g, n in dep.plan(["y1", "y2"])] == [("b", ["y1", "y2"])]
    assert dep.plan([]) == []


def test_plan_uses_env_targets(tmp_path):
    p = load(tmp_path, CONFIG, "sharding")
    plan = p.envs[0].deployment.plan([e.target for e in p.envs])
    assert [(g.name, n) for g, n in plan] == [("canary", ["sharding_1"]),
                                              ("rest", ["sharding_2", "sharding_3"])]


@pytest.mark.parametrize("body,message", [
    ('group "a" {\n    match = ["x"]\n    on_error = "maybe"\n  }', "on_error must be FAIL or CONTINUE"),
    ('group "a" {\n    match = ["x"]\n    parallel = 0\n  }', "parallel must be a positive whole number"),
    ('group "a" {\n    parallel = 2\n  }', '"match" is required'),
    ('group "a" {\n    match = [1]\n  }', "match must be a string or a list of strings"),
    ('group "a" {\n    match = ["x"]\n    size = 1\n  }', 'unexpected attribute "size"'),
    ('stage "a" {\n    match = ["x"]\n  }', 'unexpected block "stage"'),
    ('group "a" {\n    match = ["x"]\n  }\n  group "a" {\n    match = ["y"]\n  }', "duplicate group"),
    ('group "a" {\n    match = ["x"]\n    on_error = SOMETIMES\n  }', "Unknown"),
    ('group "a" {\n    match = ["x"]\n    max_failures = 0\n  }',
     "max_failures must be a positive whole number"),
    ('group "a" {\n    match = ["x"]\n    max_failures = "2"\n  }',
     "max_failures must be a positive whole number"),
    ('group "a" {\n    match = ["x"]\n    max_failures = 2\n    on_error = FAIL\n  }',
     r"atlas.hcl:5,5: .*max_failures needs on_error = CONTINUE"),
])
def test_deployment_errors(tmp_path, body, message):
    text = f'deployment "d" {{\n  {body}\n}}\nenv "e" {{\n  deployment = deployment.d\n}}\n'
    with pytest.raises(ProjectError, match=message) as info:
        load(tmp_path, text, "e")
    assert str(info.value).startswith("atlas.hcl:")
