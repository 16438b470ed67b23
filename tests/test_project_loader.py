"""Loading atlas.hcl: variables, locals, env selection (partial parse), for_each, policies
merging, env:// references and error texts."""

from __future__ import annotations

import textwrap

import pytest

from atoll.errors import AtollError, HCLError, ProjectError
from atoll.project import load_project


def write(tmp_path, text, name="atlas.hcl"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def load(tmp_path, text, env=None, variables=None, config="file://atlas.hcl"):
    write(tmp_path, text)
    return load_project(config, env=env, variables=variables or {}, cwd=str(tmp_path))


# --- locating the file -----------------------------------------------------------------------

def test_missing_config_file(tmp_path):
    with pytest.raises(ProjectError, match=r'config file "atlas.hcl" was not found: stat atlas.hcl: no such file or directory$'):
        load_project(env="dev", variables={}, cwd=str(tmp_path))


def test_config_in_subdirectory_file_func_is_config_relative(tmp_path):
    write(tmp_path, "hello", "config/develop/local.txt")
    write(tmp_path, '''
        env "dev" {
          url   = "sqlite://x.db"
          token = file("local.txt")
          src   = "./schema.hcl"
        }
    ''', "config/develop/atlas.hcl")
    p = load_project("file://config/develop/atlas.hcl", env="dev", variables={}, cwd=str(tmp_path))
    env = p.envs[0]
    assert env.extra["token"] == "hello"
    assert env.src == ["./schema.hcl"]  # kept as written: resolved against the working dir later


def test_syntax_error_has_position(tmp_path):
    with pytest.raises(HCLError, match=r"^atlas\.hcl:2,"):
        load(tmp_path, 'env "x" {\n  url = \n}\n', env="x")


# --- variables -------------------------------------------------------------------------------

VARS = '''
variable "name" {
  type    = string
  default = "hello"
}
variable "count" {
  type    = number
  default = 1
}
variable "flag" {
  type    = bool
  default = false
}
variable "urls" {
  type    = list(string)
  default = []
}
variable "tags" {
  type    = set(string)
  default = ["b", "a", "b"]
}
variable "opts" {
  type    = map(string)
  default = { a = "x" }
}
env "dev" {
  str   = var.name
  n     = var.count + 1
  flag  = !var.flag
  urls  = var.urls
  tags  = var.tags
  opt_a = var.opts.a
}
'''


def test_variable_defaults(tmp_path):
    env = load(tmp_path, VARS, env="dev").envs[0]
    assert env.extra == {"str": "hello", "n": 2, "flag": True, "urls": [], "tags": ["a", "b"],
                         "opt_a": "x"}


def test_variable_inputs_are_converted(tmp_path):
    p = load(tmp_path, VARS, env="dev", variables={
        "name": ["goodbye"], "count": ["41"], "flag": ["true"], "urls": ["u1"],
        "unused": ["ignored"]})
    env = p.envs[0]
    assert env.extra["str"] == "goodbye"
    assert env.extra["n"] == 42
    assert env.extra["flag"] is False
    assert env.extra["urls"] == ["u1"]  # a single value for list(string) is wrapped
    assert p.variables["count"] == 41


def test_variable_repeated_input_is_a_list(tmp_path):
    env = load(tmp_path, VARS, env="dev", variables={"urls": ["a", "b"]}).envs[0]
    assert env.extra["urls"] == ["a", "b"]


def test_variable_input_accepts_plain_strings(tmp_path):
    env = load(tmp_path, VARS, env="dev", variables={"name": "plain"}).envs[0]
    assert env.extra["str"] == "plain"


def test_missing_required_variable(tmp_path):
    with pytest.raises(ProjectError, match=r'^missing value for required variable "user_status_default" \(declared at '
                       r'atlas\.hcl:2,1; give it with --var user_status_default=<value>\)$'):
        load(tmp_path, '''
            variable "user_status_default" {
              type = string
            }
            env "dev" {
              def_val = var.user_status_default
            }
        ''', env="dev")


def test_required_variable_is_checked_even_without_env(tmp_path):
    with pytest.raises(ProjectError, match='missing value for required variable "x"'):
        load(tmp_path, 'variable "x" {\n  type = string\n}\n', config="file://atlas.hcl")


def test_variable_conversion_error(tmp_path):
    with pytest.raises(ProjectError, match='variable "flag": a bool is required'):
        load(tmp_path, VARS, env="dev", variables={"flag": ["maybe"]})


def test_invalid_variable_type(tmp_path):
    with pytest.raises(ProjectError, match=r'invalid type "string" for variable "x"\. Valid types are: string, number, bool, list, map, or set'):
        load(tmp_path, 'variable "x" {\n  type = "string"\n}\n')


def test_variable_unsupported_argument(tmp_path):
    with pytest.raises(ProjectError, match='Unsupported argument; An argument named "nope"'):
        load(tmp_path, 'variable "x" {\n  type = string\n  nope = 1\n}\n')


# --- locals, functions -----------------------------------------------------------------------

def test_locals_and_functions(tmp_path, monkeypatch):
    monkeypatch.setenv("ATOLL_TEST_TOKEN", "s3cret")
    monkeypatch.delenv("ATOLL_NOT_SET", raising=False)
    write(tmp_path, "from-file\n", "local.txt")
    write(tmp_path, "", "schema/a.hcl")
    write(tmp_path, "", "schema/sub/b.hcl")
    env = load(tmp_path, '''
        locals {
          envName  = atlas.env
          emptyEnv = getenv("ATOLL_NOT_SET")
          opened   = chomp(file("local.txt"))
        }
        locals {
          files  = fileset("schema/**/*.hcl")
          shards = [for i in range(1, 3) : "shard_${i}"]
        }
        env "local" {
          src    = "${local.envName}/app.hcl"
          token  = getenv("ATOLL_TEST_TOKEN")
          token2 = local.emptyEnv
          opened = upper(local.opened)
          nfiles = length(local.files)
          shards = local.shards
        }
    ''', env="local").envs[0]
    assert env.src == ["local/app.hcl"]
    assert env.extra["token"] == "s3cret"
    assert env.extra["token2"] == ""
    assert env.extra["opened"] == "FROM-FILE"
    assert env.extra["nfiles"] == 2
    assert env.extra["shards"] == ["shard_1", "shard_2"]


def test_local_cycle(tmp_path):
    with pytest.raises(ProjectError, match='cyclic reference to "local.a"'):
        load(tmp_path, 'locals {\n  a = local.b\n  b = local.a\n}\n')


def test_every_local_is_evaluated(tmp_path):
    # Atlas evaluates all locals on every load, referenced or not.
    with pytest.raises(AtollError, match=r'^atlas\.hcl:2,9-19: local\.bad: Call to unknown function; There is no function named "nosuchfunc"\.$'):
        load(tmp_path, 'locals {\n  bad = nosuchfunc()\n}\nenv "dev" {\n  url = "x"\n}\n', env="dev")


def test_unknown_local(tmp_path):
    with pytest.raises(AtollError, match=r'atlas\.hcl:.*does not have an attribute named "nope"'):
        load(tmp_path, 'locals {\n  a = 1\n}\nenv "dev" {\n  url = local.nope\n}\n', env="dev")


def test_unknown_function_error_names_position_and_env(tmp_path):
    with pytest.raises(AtollError) as info:
        load(tmp_path, 'env "dev" {\n  url = nosuch("x")\n}\n', env="dev")
    msg = str(info.value)
    assert msg.startswith("atlas.hcl:2,9")
    assert 'env "dev"' in msg and "url" in msg
    assert 'There is no function named "nosuch"' in msg


# --- env selection ---------------------------------------------------------------------------

SELECT = '''
env "dev" {
  url = "sqlite://dev.db"
}
env {
  name = atlas.env
  url  = "sqlite://${atlas.env}.db"
}
env "broken" {
  url = nosuchfunction()
}
env {
  name = "static"
  url  = "sqlite://static.db"
}
'''


def test_labeled_env_wins_over_unnamed(tmp_path):
    p = load(tmp_path, SELECT, env="dev")
    assert [(e.name, e.url) for e in p.envs] == [("dev", "sqlite://dev.db")]


def test_unnamed_env_serves_any_name(tmp_path):
    p = load(tmp_path, SELECT, env="unnamed")
    assert [(e.name, e.url) for e in p.envs] == [("unnamed", "sqlite://unnamed.db")]


def test_unselected_blocks_are_not_evaluated(tmp_path):
    load(tmp_path, SELECT, env="dev")  # "broken" would fail if evaluated
    with pytest.raises(AtollError, match="nosuchfunction"):
        load(tmp_path, SELECT, env="broken")


def test_unknown_env(tmp_path):
    with pytest.raises(ProjectError, match=r'^env "home" not defined in config file$'):
        load(tmp_path, 'env "dev" {\n  url = "x"\n}\n', env="home")


def test_unnamed_env_with_other_name_is_not_defined(tmp_path):
    text = '''
        env {
          name = contains(["dev", "prod", "staging"], atlas.env) ? atlas.env : "dev"
          url  = "x"
        }
    '''
    assert load(tmp_path, text, env="prod").envs[0].name == "prod"
    with pytest.raises(ProjectError, match='env "none" not defined in config file'):
        load(tmp_path, text, env="none")


def test_unnamed_env_with_null_name(tmp_path):
    with pytest.raises(ProjectError, match='all envs must have names on file "atlas.hcl"'):
        load(tmp_path, 'env {\n  name = contains(["dev"], atlas.env) ? atlas.env : null\n}\n',
             env="a8m")


def test_no_env_loads_top_level_policies_only(tmp_path):
    p = load(tmp_path, '''
        lint {
          latest = 1
          review = WARNING
        }
        diff {
          skip {
            drop_column = true
          }
        }
        env "dev" {
          url = nosuch()
        }
    ''')
    assert p.envs == [] and p.env is None
    assert p.lint.latest == 1 and p.lint.review == "WARNING"
    assert p.diff.skip == frozenset({"drop_column"})


def test_duplicate_env_names_give_several_envs(tmp_path):
    p = load(tmp_path, 'env "all" {\n  url = "sqlite://a.db"\n}\nenv "all" {\n  url = "sqlite://b.db"\n}\n',
             env="all")
    assert [e.url for e in p.envs] == ["sqlite://a.db", "sqlite://b.db"]
    with pytest.raises(ProjectError, match='multiple envs found for "all"'):
        _ = p.env


# --- env decoding ----------------------------------------------------------------------------

FULL = '''
variable "name" {
  type    = string
  default = "hello"
}
lint {
  log    = <<EOS
{{- range $f := .Files }}
  {{- $f.Name }}
{{- end }}
EOS
  review = ERROR
  destructive {
    error = true
  }
  git {
    base = "master"
    dir  = "."
  }
}
diff {
  skip {
    drop_schema = true
  }
}
test {
  schema {
    src = ["global.test.hcl"]
  }
}
env "local" {
  url     = "mysql://root:pass@localhost:3306/"
  dev     = "docker://mysql/8"
  schemas = ["hello", "world"]
  exclude = ["*.tmp_*"]
  migration {
    dir              = "file://migrations"
    format           = atlas
    lock_timeout     = "1s"
    revisions_schema = "revisions"
    exec_order       = LINEAR_SKIP
    baseline         = 20220318104614
  }
  diff {
    skip {
      drop_column = true
    }
  }
  lint {
    latest = 1
  }
  test {
    schema {
      src = ["local.test.hcl"]
    }
  }
  format {
    migrate {
      apply = "{{ json . }}"
    }
    schema {
      diff = "{{ sql . \\"\\t\\" }}"
    }
  }
  bool    = true
  integer = 42
  str     = var.name
  maybe   = null
}
env "multi" {
  src = ["./a.hcl", "./b.hcl"]
  lint {
    naming {
      match = "^[A-Z]+$"
    }
  }
}
env {
  name = atlas.env
  log {
    schema {
      apply = "legacy"
    }
  }
}
'''


def test_env_fields(tmp_path):
    env = load(tmp_path, FULL, env="local").envs[0]
    assert env.name == "local" and env.url.startswith("mysql://") and env.dev == "docker://mysql/8"
    assert env.schemas == ["hello", "world"] and env.exclude == ["*.tmp_*"]
    m = env.migration
    assert (m.dir, m.format, m.lock_timeout, m.revisions_schema, m.exec_order, m.baseline) == (
        "file://migrations", "atlas", "1s", "revisions", "LINEAR_SKIP", "20220318104614")
    assert env.diff.skip == frozenset({"drop_column"})  # the env's skip replaces the global one
    assert env.lint.latest == 1 and env.lint.review == "ERROR"
    assert env.lint.git_base == "" and env.lint.git_dir == ""  # latest set: git not inherited
    assert env.lint.is_error("destructive", False) is True
    assert env.lint.log.startswith("{{- range $f := .Files }}")
    assert env.test == {"schema": {"src": ["local.test.hcl"]}}
    assert env.format.for_command("migrate apply") == "{{ json . }}"
    assert env.format.for_command("schema diff") == '{{ sql . "\t" }}'
    assert env.extra == {"bool": True, "integer": 42, "str": "hello"}  # null = absent
    assert env.schema_vars == {"bool": True, "integer": 42, "str": "hello"}
    assert (env.pos.line, env.pos.column) == (31, 1)


def test_env_multi_inherits_review_but_keeps_own_analyzers(tmp_path):
    env = load(tmp_path, FULL, env="multi").envs[0]
    assert env.src == ["./a.hcl", "./b.hcl"]
    assert env.lint.review == "ERROR"
    assert set(env.lint.settings) == {"naming"}
    assert env.lint.git_base == "master" and env.lint.git_dir == "."  # inherited change detection
    assert env.diff.skip == frozenset({"drop_schema"})  # no env diff: the global one
    assert env.test == {"schema": {"src": ["global.test.hcl"]}}
    assert env.migration.dir == ""


def test_legacy_log_block_fills_format(tmp_path):
    env = load(tmp_path, FULL, env="other").envs[0]
    assert env.format.for_command("schema apply") == "legacy"


def test_schema_vars_take_cli_vars_not_shadowed(tmp_path):
    env = load(tmp_path, FULL, env="local", variables={"str": ["cli"], "extra": ["x"],
                                                        "many": ["a", "b"]}).envs[0]
    assert env.schema_vars["str"] == "hello"  # the env attribute wins
    assert env.schema_vars["extra"] == "x"
    assert env.schema_vars["many"] == ["a", "b"]


def test_src_type_error(tmp_path):
    with pytest.raises(ProjectError, match="expected src to be either a string or strings, got: number"):
        load(tmp_path, 'env "dev" {\n  src = 1\n}\n', env="dev")


def test_schema_block_src(tmp_path):
    env = load(tmp_path, 'env "dev" {\n  schema {\n    src = "file://s.hcl"\n  }\n}\n', env="dev").envs[0]
    assert env.src == ["file://s.hcl"]


def test_unknown_enum_word(tmp_path):
    with pytest.raises(ProjectError, match='Unknown migration.format; There is no format named "foo"'):
        load(tmp_path, 'env "dev" {\n  migration {\n    format = foo\n  }\n}\n', env="dev")


def test_lint_log_and_format_together(tmp_path):
    with pytest.raises(ProjectError, match="cannot use both 'log' and 'format' in the same lint block"):
        load(tmp_path, 'lint {\n  log = "a"\n  format = "b"\n}\n')


def test_lint_git_inherited_only_when_env_has_no_detection(tmp_path):
    text = '''
        lint {
          latest = 3
        }
        env "a" {
          lint {
            git {
              base = "main"
              dir  = "x"
            }
          }
        }
        env "b" {
          lint {
            review = WARNING
          }
        }
    '''
    a = load(tmp_path, text, env="a").envs[0].lint
    assert (a.latest, a.git_base, a.git_dir) == (0, "main", "x")
    b = load(tmp_path, text, env="b").envs[0].lint
    assert (b.latest, b.review) == (3, "WARNING")


def test_diff_skip_with_variable(tmp_path):
    text = '''
        variable "destructive" {
          type    = bool
          default = false
        }
        env "dev" {
          diff {
            skip {
              drop_column = !var.destructive
              drop_table  = !var.destructive
            }
          }
        }
    '''
    assert load(tmp_path, text, env="dev").envs[0].diff.skip == {"drop_column", "drop_table"}
    assert load(tmp_path, text, env="dev", variables={"destructive": ["true"]}).envs[0].diff.skip == set()


# --- for_each --------------------------------------------------------------------------------

FOREACH = '''
variable "urls" {
  type = list(string)
}
env "local" {
  for_each = toset(var.urls)
  url = each.value
  dev = "sqlite://ci?mode=memory&_fk=1"
  tenant = each.key
  migration {
    dir = "file://migrations/${each.key == "" ? "x" : "tenants"}"
  }
}
env "tuple" {
  for_each = ["b", "a"]
  url = "sqlite://${each.value}.db"
  idx = each.key
}
env "object" {
  for_each = { second = "b.db", first = "a.db" }
  url = "sqlite://${each.value}"
}
env "bad" {
  for_each = "shard"
  url = each.value
}
env "badnum" {
  for_each = 3
}
env "mixed" {
  url = "sqlite://static.db"
}
env "mixed" {
  for_each = toset(["x"])
  url = "sqlite://${each.value}.db"
}
'''


def test_for_each_over_set(tmp_path):
    p = load(tmp_path, FOREACH, env="local", variables={"urls": ["sqlite://b.db", "sqlite://a.db", "sqlite://b.db"]})
    assert [e.url for e in p.envs] == ["sqlite://a.db", "sqlite://b.db"]  # sorted, de-duplicated
    assert [e.key for e in p.envs] == ["sqlite://a.db", "sqlite://b.db"]
    assert all(e.name == "local" for e in p.envs)
    assert p.envs[0].extra["tenant"] == "sqlite://a.db"
    assert p.envs[0].schema_vars["tenant"] == "sqlite://a.db"
    assert p.envs[0].migration.dir == "file://migrations/tenants"


def test_for_each_over_tuple_and_object(tmp_path):
    p = load(tmp_path, FOREACH, env="tuple", variables={"urls": []})
    assert [(e.key, e.url, e.extra["idx"]) for e in p.envs] == [(0, "sqlite://b.db", 0), (1, "sqlite://a.db", 1)]
    assert [e.target for e in p.envs] == ["tuple[0]", "tuple[1]"]
    p = load(tmp_path, FOREACH, env="object", variables={"urls": []})
    assert [(e.key, e.url) for e in p.envs] == [("first", "sqlite://a.db"), ("second", "sqlite://b.db")]
    assert [e.target for e in p.envs] == ["first", "second"]


@pytest.mark.parametrize("env,kind", [("bad", "string"), ("badnum", "number")])
def test_for_each_rejects_scalars(tmp_path, env, kind):
    with pytest.raises(ProjectError, match=rf'^atlas\.hcl:\d+,3: env "{env}": for_each: for_each does not support {kind} type'):
        load(tmp_path, FOREACH, env=env, variables={"urls": ["x"]})


def test_for_each_empty_collection_is_not_defined(tmp_path):
    with pytest.raises(ProjectError, match='env "local" not defined in config file'):
        load(tmp_path, FOREACH, env="local", variables={"urls": []})


def test_for_each_copies_follow_static_blocks(tmp_path):
    p = load(tmp_path, FOREACH, env="mixed", variables={"urls": ["x"]})
    assert [e.url for e in p.envs] == ["sqlite://static.db", "sqlite://x.db"]


def test_for_each_error_names_element(tmp_path):
    with pytest.raises(AtollError, match=r"each\.key = 'b'.*Unsupported attribute"):
        load(tmp_path, 'env "x" {\n  for_each = toset(["b"])\n  url = each.value.nope\n}\n', env="x")


def test_each_outside_for_each_is_unknown(tmp_path):
    with pytest.raises(AtollError, match='There is no variable named "each"'):
        load(tmp_path, 'env "x" {\n  url = each.value\n}\n', env="x")


# --- env:// ----------------------------------------------------------------------------------

def test_env_references(tmp_path):
    p = load(tmp_path, '''
        env "local" {
          url = "sqlite://a.db"
          dev = "docker://mysql/8"
          src = "local/app.hcl"
          app = "file://schema.hcl"
          loop = "env://url"
          num = 1
          migration {
            dir = "file://migrations"
          }
        }
        env "multi" {
          src = ["a.hcl", "b.hcl"]
        }
    ''', env="local")
    assert p.env_var("env://dev") == "docker://mysql/8"
    assert p.env_var("env://src") == "local/app.hcl"
    assert p.env_var("env://migration.dir") == "file://migrations"
    assert p.env_var("env://app") == "file://schema.hcl"
    with pytest.raises(ProjectError, match=r"env://nope \(attribute\) not found in env\.local"):
        p.env_var("env://nope")
    with pytest.raises(ProjectError, match="cannot reference another env://"):
        p.env_var("env://loop")
    with pytest.raises(ProjectError, match='invalid env:// variable "env://a/b"'):
        p.env_var("env://a/b")
    with pytest.raises(ProjectError, match="env://num: string required"):
        p.env_var("env://num")
    multi = load(tmp_path, (tmp_path / "atlas.hcl").read_text(), env="multi")
    with pytest.raises(ProjectError, match='env://src: expect one schema in env "multi", got 2'):
        multi.env_var("env://src")
    with pytest.raises(ProjectError, match='env://migration.dir: no migration dir defined in env "multi"'):
        multi.env_var("env://migration.dir")
    no_env = load(tmp_path, (tmp_path / "atlas.hcl").read_text())
    with pytest.raises(ProjectError, match="cannot use env:// variables without selecting an environment"):
        no_env.env_var("env://url")


# --- getenv in URLs --------------------------------------------------------------------------

GETENV = '''
variable "data_dir" {
  type    = string
  default = getenv("ATOLL_T_DIR")
}
locals {
  master = "sqlite://${var.data_dir}/master.db"
}
env "direct" {
  url = getenv("ATOLL_T_URL")
}
env "interp" {
  url = "sqlite://${getenv("ATOLL_T_DIR")}/x.db"
}
env "via_local" {
  url = local.master
}
env "fallback" {
  url = getenv("ATOLL_T_URL") != "" ? getenv("ATOLL_T_URL") : "sqlite://fallback.db"
  dev = coalesce(getenv("ATOLL_T_URL"), "sqlite://dev?mode=memory")
}
env "token" {
  url   = "sqlite://a.db"
  token = getenv("ATOLL_T_URL")
}
'''


@pytest.fixture
def unset_env(monkeypatch):
    monkeypatch.delenv("ATOLL_T_URL", raising=False)
    monkeypatch.delenv("ATOLL_T_DIR", raising=False)
    return monkeypatch


@pytest.mark.parametrize("env,var,line", [
    ("direct", "ATOLL_T_URL", 10), ("interp", "ATOLL_T_DIR", 13), ("via_local", "ATOLL_T_DIR", 16)])
def test_unset_getenv_in_url_is_kept_for_the_commands_that_connect(tmp_path, unset_env, env,
                                                                   var, line):
    # Loading succeeds (migrate hash/validate need no URL); the env carries the error that a
    # command connecting with the URL gives (atoll.cli.options).
    loaded = load(tmp_path, GETENV, env=env).envs[0]
    assert loaded.unset_urls == {"url": (
        f'atlas.hcl:{line},3: env "{env}": url: the URL is built from '
        f'getenv("{var}"), but the environment variable {var} is not set')}


def test_getenv_fallbacks_and_non_url_attributes_are_fine(tmp_path, unset_env):
    env = load(tmp_path, GETENV, env="fallback").envs[0]
    assert env.unset_urls == {}
    assert env.url == "sqlite://fallback.db" and env.dev == "sqlite://dev?mode=memory"
    assert load(tmp_path, GETENV, env="token").envs[0].extra["token"] == ""


def test_set_getenv_in_url(tmp_path, unset_env):
    unset_env.setenv("ATOLL_T_DIR", "/srv/data")
    assert load(tmp_path, GETENV, env="via_local").envs[0].url == "sqlite:///srv/data/master.db"
    unset_env.setenv("ATOLL_T_URL", "sqlite://from-env.db")
    assert load(tmp_path, GETENV, env="direct").envs[0].url == "sqlite://from-env.db"
