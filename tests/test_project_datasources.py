"""data sources: sql (on real SQLite files), hcl_schema, external_schema, external,
template_dir, runtimevar; laziness."""

from __future__ import annotations

import sqlite3
import sys
import textwrap

import pytest

from atoll.errors import AtollError, ProjectError
from atoll.project import load_project, render_template


def load(tmp_path, text, env=None, variables=None):
    (tmp_path / "atlas.hcl").write_text(textwrap.dedent(text))
    return load_project(env=env, variables=variables or {}, cwd=str(tmp_path))


@pytest.fixture
def master_db(tmp_path):
    """The team's master database holds the list of shards."""
    path = tmp_path / "master.db"
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE shards (id integer PRIMARY KEY, name text, active bool, weight real);
        INSERT INTO shards (name, active, weight) VALUES
          ('sharding_db_3', 1, 1.5), ('sharding_db_1', 1, 2), ('sharding_db_2', 1, 3),
          ('sharding_db_9', 0, 4);
        CREATE TABLE users (name text);
        INSERT INTO users VALUES ('a8m');
    """)
    con.commit()
    con.close()
    return path


SQL = '''
variable "url" {
  type = string
}
locals {
  active = true
}
data "sql" "shards" {
  url   = var.url
  query = "SELECT name FROM shards WHERE active = ? ORDER BY id"
  args  = [local.active]
}
data "sql" "users" {
  url   = var.url
  query = "SELECT name FROM users"
}
data "sql" "ids" {
  url   = var.url
  query = "SELECT id FROM shards WHERE name LIKE ? ORDER BY id"
  args  = ["sharding_%"]
}
data "sql" "none" {
  url   = var.url
  query = "SELECT name FROM shards WHERE id < 0"
}
env "shard" {
  for_each = toset(data.sql.shards.values)
  url      = "sqlite://${each.value}.db"
  src      = "file://sharding.hcl"
  migration {
    dir = "file://migrations/sharding"
  }
}
env "query" {
  count  = data.sql.users.count
  value  = data.sql.users.value
  values = data.sql.users.values
  ids    = data.sql.ids.values
  none   = data.sql.none.count
  nonev  = data.sql.none.values
}
env "list" {
  shards = data.sql.shards.values
}
'''


def test_sql_shard_list_drives_for_each(tmp_path, master_db):
    p = load(tmp_path, SQL, env="shard", variables={"url": [f"sqlite://{master_db}"]})
    # toset orders the names; the query order (3, 1, 2) is not kept.
    assert [e.url for e in p.envs] == ["sqlite://sharding_db_1.db", "sqlite://sharding_db_2.db",
                                       "sqlite://sharding_db_3.db"]
    assert [e.target for e in p.envs] == ["sharding_db_1", "sharding_db_2", "sharding_db_3"]
    assert {e.migration.dir for e in p.envs} == {"file://migrations/sharding"}


def test_sql_count_value_values(tmp_path, master_db):
    env = load(tmp_path, SQL, env="query", variables={"url": [f"sqlite://{master_db}"]}).envs[0]
    assert env.extra["count"] == 1
    assert env.extra["value"] == "a8m"
    assert env.extra["values"] == ["a8m"]
    assert env.extra["ids"] == [1, 2, 3, 4]
    assert env.extra["none"] == 0 and env.extra["nonev"] == []


def test_sql_values_keep_query_order(tmp_path, master_db):
    env = load(tmp_path, SQL, env="list", variables={"url": [f"sqlite://{master_db}"]}).envs[0]
    assert env.extra["shards"] == ["sharding_db_3", "sharding_db_1", "sharding_db_2"]


def test_sql_relative_url_resolves_against_cwd(tmp_path, master_db, monkeypatch):
    monkeypatch.chdir("/")
    p = load(tmp_path, SQL, env="shard", variables={"url": ["sqlite://master.db"]})
    assert len(p.envs) == 3


def test_sql_null_row(tmp_path, master_db):
    con = sqlite3.connect(master_db)
    con.execute("INSERT INTO shards (name, active) VALUES (NULL, 1)")
    con.commit()
    con.close()
    with pytest.raises(ProjectError, match=r"^atlas\.hcl:8,1: data\.sql\.shards: unsupported row type: <nil>$"):
        load(tmp_path, SQL, env="shard", variables={"url": [f"sqlite://{master_db}"]})


def test_sql_empty_table_means_env_not_defined(tmp_path, master_db):
    con = sqlite3.connect(master_db)
    con.execute("DELETE FROM shards")
    con.commit()
    con.close()
    with pytest.raises(ProjectError, match='env "shard" not defined in config file'):
        load(tmp_path, SQL, env="shard", variables={"url": [f"sqlite://{master_db}"]})


def test_sql_query_error(tmp_path, master_db):
    with pytest.raises(ProjectError, match=r"data\.sql\.bad: executing query: .*no such table: nope"):
        load(tmp_path, f'''
            data "sql" "bad" {{
              url   = "sqlite://{master_db}"
              query = "SELECT x FROM nope"
            }}
            env "x" {{
              v = data.sql.bad.values
            }}
        ''', env="x")


def test_sql_missing_attribute_and_bad_args(tmp_path):
    with pytest.raises(ProjectError, match=r'data\.sql\.q: decoding body: .*The argument "query" is required'):
        load(tmp_path, 'data "sql" "q" {\n  url = "sqlite://x.db"\n}\nenv "x" {\n  v = data.sql.q.count\n}\n', env="x")
    with pytest.raises(ProjectError, match=r'data\.sql\.q: attribute "args" must be a list, got: string'):
        load(tmp_path, 'data "sql" "q" {\n  url = "sqlite://x.db"\n  query = "SELECT 1"\n  args = "a"\n}\n'
                       'env "x" {\n  v = data.sql.q.count\n}\n', env="x")
    with pytest.raises(ProjectError, match=r"data\.sql\.q: unexpected attributes: nope"):
        load(tmp_path, 'data "sql" "q" {\n  url = "sqlite://x.db"\n  query = "SELECT 1"\n  nope = 1\n}\n'
                       'env "x" {\n  v = data.sql.q.count\n}\n', env="x")


def test_data_sources_are_lazy(tmp_path, master_db):
    text = '''
        data "sql" "broken" {
          url   = "sqlite://file:/nonexistent/dir/x.db?mode=ro"
          query = "SELECT 1"
        }
        data "template_dir" "bad" {
          path = "does/not/exist"
        }
        env "dev" {
          url = "sqlite://dev.db"
        }
        env "uses" {
          url = "sqlite://dev.db"
          dir = data.template_dir.bad.url
        }
    '''
    assert load(tmp_path, text, env="dev").envs[0].url == "sqlite://dev.db"
    with pytest.raises(ProjectError, match=r"data\.template_dir\.bad: path does/not/exist is not a directory"):
        load(tmp_path, text, env="uses")


def test_data_source_runs_once(tmp_path):
    counter = tmp_path / "count.txt"
    text = f'''
        data "external" "once" {{
          program = ["{sys.executable}", "-c", "import pathlib; p = pathlib.Path('{counter}'); p.write_text(p.read_text() + 'x' if p.exists() else 'x'); print('v')"]
        }}
        env "x" {{
          a = data.external.once
          b = trimspace(data.external.once)
        }}
    '''
    env = load(tmp_path, text, env="x").envs[0]
    assert env.extra == {"a": "v\n", "b": "v"}
    assert counter.read_text() == "x"


def test_unknown_data_kind_fails_even_unreferenced(tmp_path):
    with pytest.raises(ProjectError, match='missing data source handler for "composite_schema"'):
        load(tmp_path, 'data "composite_schema" "x" {\n}\nenv "dev" {\n  url = "x"\n}\n', env="dev")
    with pytest.raises(ProjectError, match='data block "data" must have exactly 2 labels'):
        load(tmp_path, 'data "sql" {\n}\n', env=None)


def test_hcl_schema(tmp_path):
    (tmp_path / "schema-1.hcl").write_text("")
    (tmp_path / "schema-2.hcl").write_text("")
    p = load(tmp_path, '''
        data "hcl_schema" "app" {
          path = "schema.hcl"
          vars = {
            default_value = "unknown"
          }
        }
        data "hcl_schema" "many" {
          paths = glob("schema-*.hcl")
        }
        env "local" {
          src = data.hcl_schema.app.url
          dev = "sqlite://dev?mode=memory&_fk=1"
          other = data.hcl_schema.many.url
        }
    ''', env="local")
    env = p.envs[0]
    assert env.src == ["mem://hcl_schema/app"]
    assert p.env_var("env://src") == "mem://hcl_schema/app"
    assert p.hcl_schema("mem://hcl_schema/app") == ([str(tmp_path / "schema.hcl")],
                                                    {"default_value": "unknown"})
    paths, variables = p.hcl_schema(env.extra["other"])
    assert paths == [str(tmp_path / "schema-1.hcl"), str(tmp_path / "schema-2.hcl")]
    assert variables == {}
    with pytest.raises(ProjectError, match='data-source state "mem://hcl_schema/nope" not found in memory'):
        p.hcl_schema("mem://hcl_schema/nope")


def test_hcl_schema_path_xor_paths(tmp_path):
    with pytest.raises(ProjectError, match=r"data\.hcl_schema\.x: path and paths cannot be set together"):
        load(tmp_path, 'data "hcl_schema" "x" {\n  path = "a"\n  paths = ["b"]\n}\nenv "e" {\n  src = data.hcl_schema.x.url\n}\n', env="e")
    with pytest.raises(ProjectError, match=r"data\.hcl_schema\.x: path or paths must be set"):
        load(tmp_path, 'data "hcl_schema" "x" {\n}\nenv "e" {\n  src = data.hcl_schema.x.url\n}\n', env="e")


def test_external_schema_and_external(tmp_path):
    script = tmp_path / "gen.py"
    script.write_text("print('CREATE TABLE t (id int);')\n")
    (tmp_path / "tenants.py").write_text("import json; print(json.dumps(['a', 'b']))\n")
    p = load(tmp_path, f'''
        data "external_schema" "orm" {{
          program = ["{sys.executable}", "gen.py"]
        }}
        data "external" "tenants" {{
          program = ["{sys.executable}", "tenants.py"]
        }}
        env "local" {{
          src     = data.external_schema.orm.url
          tenants = jsondecode(data.external.tenants)
        }}
    ''', env="local")
    env = p.envs[0]
    assert env.src == ["mem://external_schema/orm"]
    assert p.external_schema_sql("mem://external_schema/orm") == "CREATE TABLE t (id int);\n"
    assert env.extra["tenants"] == ["a", "b"]


def test_external_failure(tmp_path):
    with pytest.raises(ProjectError, match=r"data\.external\.x: running program .*: boom"):
        load(tmp_path, f'''
            data "external" "x" {{
              program = ["{sys.executable}", "-c", "import sys; sys.exit('boom')"]
            }}
            env "e" {{
              v = data.external.x
            }}
        ''', env="e")
    with pytest.raises(ProjectError, match=r"data\.external\.x: program cannot be empty"):
        load(tmp_path, 'data "external" "x" {\n  program = []\n}\nenv "e" {\n  v = data.external.x\n}\n', env="e")


def test_template_dir(tmp_path):
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1.sql").write_text("create table {{ .Env }}1 (c text);\n")
    (d / "2.sql").write_text("create table users_{{- .Env -}} 2 (c text);\n")
    (d / "README.md").write_text("{{ .Nope }}")
    text = '''
        data "template_dir" "migrations" {
          path = "migrations"
          vars = {
            Env = atlas.env
          }
        }
        env {
          name = atlas.env
          url  = "sqlite://${atlas.env}?mode=memory"
          migration {
            dir = data.template_dir.migrations.url
          }
        }
    '''
    p = load(tmp_path, text, env="dev")
    url = p.envs[0].migration.dir
    assert url == "mem://migrations/migrations"
    assert p.template_dir(url) == {"1.sql": "create table dev1 (c text);\n",
                                   "2.sql": "create table users_dev2 (c text);\n"}
    assert load(tmp_path, text, env="prod").template_dir(url)["1.sql"] == "create table prod1 (c text);\n"


def test_template_dir_not_a_directory(tmp_path):
    (tmp_path / "1.sql").write_text("")
    with pytest.raises(ProjectError, match=r"^atlas\.hcl:1,1: data\.template_dir\.tenant: path 1\.sql is not a directory$"):
        load(tmp_path, 'data "template_dir" "tenant" {\n  path = "1.sql"\n}\nenv "e" {\n  d = data.template_dir.tenant.url\n}\n', env="e")


def test_render_template():
    assert render_template("a {{ .X }} b {{- .Y }}\n{{/* c */}}", {"X": 1, "Y": True}, "f") == "a 1 btrue\n"
    with pytest.raises(ProjectError, match='map has no entry for key "Z"'):
        render_template("{{ .Z }}", {}, "f.sql")
    with pytest.raises(ProjectError, match="unsupported action"):
        render_template("{{ range .X }}{{ end }}", {"X": []}, "f.sql")


def test_runtimevar(tmp_path):
    (tmp_path / "secret.txt").write_text("pw")
    p = load(tmp_path, '''
        data "runtimevar" "a" {
          url = "constant://?val=hello+world"
        }
        data "runtimevar" "f" {
          url = "file://secret.txt?decoder=string"
        }
        data "runtimevar" "pass" {
          url = "constant://?val=x&decoder=binary"
        }
        env "e" {
          a = data.runtimevar.a
          f = data.runtimevar.f
        }
        env "bad" {
          p = data.runtimevar.pass
        }
    ''', env="e")
    assert p.envs[0].extra == {"a": "hello world", "f": "pw"}
    with pytest.raises(AtollError, match='data.runtimevar.pass: unsupported decoder: "binary"'):
        load(tmp_path, (tmp_path / "atlas.hcl").read_text(), env="bad")


def test_data_source_cycle(tmp_path):
    with pytest.raises(AtollError, match='cyclic reference to "data.external.a"'):
        load(tmp_path, '''
            data "external" "a" {
              program = [data.external.b]
            }
            data "external" "b" {
              program = [data.external.a]
            }
            env "e" {
              v = data.external.a
            }
        ''', env="e")
