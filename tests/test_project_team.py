"""The team's three project files (operations guide: config/develop|staging|production,
envs master and sharding_1..4), written the way atoll lets them be written, plus a smoke test
of the example project's configs."""

from __future__ import annotations

import os
import re
import sqlite3
import textwrap
from pathlib import Path

import pytest

from atoll.errors import ProjectError
from atoll.project import env_flag_defaults, load_project

DEVELOP = '''
locals {
  dev = "sqlite://file?mode=memory"
}

env "master" {
  url = "sqlite://server/data/master.db"
  dev = local.dev
  src = "file://db/schema/master.hcl"
  migration {
    dir = "file://db/migrations/master"
  }
}

env "sharding_1" {
  url = "sqlite://server/data/sharding_db_1.db"
  dev = local.dev
  src = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_2" {
  url = "sqlite://server/data/sharding_db_2.db"
  dev = local.dev
  src = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_3" {
  url = "sqlite://server/data/sharding_db_3.db"
  dev = local.dev
  src = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_4" {
  url = "sqlite://server/data/sharding_db_4.db"
  dev = local.dev
  src = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
'''

# Staging: every URL comes from an environment variable; the shard list from the master DB.
STAGING = '''
locals {
  dev    = "sqlite://file?mode=memory"
  shards = [for i in range(1, 5) : "sharding_${i}"]
}

data "sql" "shards" {
  url   = getenv("STAGING_MASTER_URL")
  query = "SELECT name FROM shards ORDER BY id"
}

env "master" {
  url = getenv("STAGING_MASTER_URL")
  dev = local.dev
  src = "file://db/schema/master.hcl"
  migration {
    dir = "file://db/migrations/master"
  }
}

# --env sharding_1 … sharding_4: STAGING_SHARDING_<N>_URL
env {
  name = contains(local.shards, atlas.env) ? atlas.env : null
  url  = getenv("STAGING_${upper(atlas.env)}_URL")
  dev  = local.dev
  src  = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}

# --env sharding: every shard listed in the master database.
env "sharding" {
  for_each = toset(data.sql.shards.values)
  url      = "sqlite://${getenv("STAGING_DATA_DIR")}/${each.value}.db"
  dev      = local.dev
  src      = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
'''

PRODUCTION = STAGING.replace("STAGING_", "PRODUCTION_").replace('''env "sharding" {
  for_each = toset(data.sql.shards.values)''', '''env "sharding" {
  for_each   = toset(data.sql.shards.values)
  deployment = deployment.canary_first''') + '''
deployment "canary_first" {
  group "canary" {
    match    = ["sharding_1"]
    parallel = 1
    on_error = FAIL
  }
  group "rest" {
    match    = ["sharding_*"]
    parallel = 3
    on_error = FAIL
  }
}

lint {
  destructive {
    error = true
  }
}
'''


@pytest.fixture
def project(tmp_path):
    for name, text in (("develop", DEVELOP), ("staging", STAGING), ("production", PRODUCTION)):
        path = tmp_path / "config" / name / "atlas.hcl"
        path.parent.mkdir(parents=True)
        path.write_text(textwrap.dedent(text))
    data = tmp_path / "server" / "data"
    data.mkdir(parents=True)
    con = sqlite3.connect(data / "master.db")
    con.executescript("CREATE TABLE shards (id integer primary key, name text);"
                      "INSERT INTO shards (name) VALUES ('sharding_2'), ('sharding_1'), "
                      "('sharding_4'), ('sharding_3');")
    con.commit()
    con.close()
    return tmp_path


def load(root, config, env, **kw):
    return load_project(f"file://config/{config}/atlas.hcl", env=env, variables={},
                        cwd=str(root), **kw)


@pytest.fixture
def no_vars(monkeypatch):
    for key in list(os.environ):
        if key.startswith(("STAGING_", "PRODUCTION_")):
            monkeypatch.delenv(key)
    return monkeypatch


def test_develop_envs(project):
    master = load(project, "develop", "master").env
    assert master.url == "sqlite://server/data/master.db"
    assert env_flag_defaults(master, "migrate apply") == {
        "url": "sqlite://server/data/master.db", "dir": "file://db/migrations/master"}
    assert env_flag_defaults(master, "migrate diff") == {
        "dev-url": "sqlite://file?mode=memory", "dir": "file://db/migrations/master",
        "to": ["file://db/schema/master.hcl"]}
    for i in range(1, 5):
        env = load(project, "develop", f"sharding_{i}").env
        assert env.url == f"sqlite://server/data/sharding_db_{i}.db"
        assert env.migration.dir == "file://db/migrations/sharding"
        assert env_flag_defaults(env, "migrate status")["url"] == env.url
    with pytest.raises(ProjectError, match='env "sharding_5" not defined in config file'):
        load(project, "develop", "sharding_5")


def test_staging_urls_from_environment(project, no_vars):
    no_vars.setenv("STAGING_MASTER_URL", f"sqlite://{project}/server/data/master.db")
    for i in range(1, 5):
        no_vars.setenv(f"STAGING_SHARDING_{i}_URL", f"sqlite:///srv/stg/sharding_db_{i}.db")
    assert load(project, "staging", "master").env.url.endswith("server/data/master.db")
    env = load(project, "staging", "sharding_3").env
    assert env.name == "sharding_3" and env.url == "sqlite:///srv/stg/sharding_db_3.db"
    assert env.src == ["file://db/schema/sharding.hcl"]


def test_staging_missing_environment_variable(project, no_vars):
    assert load(project, "staging", "master").env.unset_urls["url"] == (
        'config/staging/atlas.hcl:13,3: env "master": url: the URL is built from '
        'getenv("STAGING_MASTER_URL"), but the environment variable STAGING_MASTER_URL is not set')
    assert re.search(r'env "sharding_2": url: .*getenv\("STAGING_SHARDING_2_URL"\)',
                     load(project, "staging", "sharding_2").env.unset_urls["url"])


def test_staging_unknown_shard_name(project, no_vars):
    with pytest.raises(ProjectError, match='all envs must have names on file "config/staging/atlas.hcl"'):
        load(project, "staging", "sharding_9")


def test_staging_fleet_from_master_db(project, no_vars):
    no_vars.setenv("STAGING_MASTER_URL", "sqlite://server/data/master.db")
    no_vars.setenv("STAGING_DATA_DIR", "/srv/stg")
    p = load(project, "staging", "sharding")
    assert [e.url for e in p.envs] == [f"sqlite:///srv/stg/sharding_{i}.db" for i in range(1, 5)]
    assert [e.target for e in p.envs] == [f"sharding_{i}" for i in range(1, 5)]
    with pytest.raises(ProjectError, match='multiple envs found for "sharding"'):
        _ = p.env


def test_staging_fleet_without_master_url(project, no_vars):
    with pytest.raises(ProjectError, match=r'^config/staging/atlas.hcl:8,3: data\.sql\.shards: url: .*STAGING_MASTER_URL'):
        load(project, "staging", "sharding")


def test_production_deployment_plan(project, no_vars):
    no_vars.setenv("PRODUCTION_MASTER_URL", "sqlite://server/data/master.db")
    no_vars.setenv("PRODUCTION_DATA_DIR", "/srv/prod")
    p = load(project, "production", "sharding")
    dep = p.envs[0].deployment
    plan = dep.plan([e.target for e in p.envs])
    assert [(g.name, g.parallel, names) for g, names in plan] == [
        ("canary", 1, ["sharding_1"]),
        ("rest", 3, ["sharding_2", "sharding_3", "sharding_4"]),
    ]
    assert p.envs[0].lint.is_error("destructive", False) is True
    master = load(project, "production", "master").env
    assert master.deployment is None and master.url == "sqlite://server/data/master.db"


# --- the example project shipped in the repository ------------------------------------------

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "game"


@pytest.mark.skipif(not (EXAMPLE / "config").is_dir(), reason="no example project")
def test_example_develop_config():
    p = load_project("file://config/develop/atlas.hcl", env="all", variables={}, cwd=str(EXAMPLE))
    assert [e.target for e in p.envs][:2] == ["master", "sharding_1"]
    assert len(load_project("file://config/develop/atlas.hcl", env="sharding", variables={},
                            cwd=str(EXAMPLE)).envs) == 4


@pytest.mark.skipif(not (EXAMPLE / "config").is_dir(), reason="no example project")
@pytest.mark.parametrize("stage", ["staging", "production"])
def test_example_env_var_configs(tmp_path, no_vars, stage):
    cfg = EXAMPLE / "config" / stage / "atlas.hcl"
    if not cfg.exists():
        pytest.skip("no such config")
    unset = load_project(f"file://{cfg}", env="master", variables={}, cwd=str(EXAMPLE)).env
    assert f"{stage.upper()}_DATA_DIR" in unset.unset_urls["url"]
    no_vars.setenv(f"{stage.upper()}_DATA_DIR", str(tmp_path))
    master = load_project(f"file://{cfg}", env="master", variables={}, cwd=str(EXAMPLE)).env
    assert master.url.startswith(f"sqlite://{tmp_path}/master.db")
