"""``--format`` templates run on the Go structs Atlas uses: a field the JSON form leaves out
reads as Go's zero value, a field the struct lacks fails with Go's execution error."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from atoll.cli.template_structs import MIGRATE_APPLY, MIGRATE_STATUS, SCHEMA_INSPECT
from atoll.gotemplate import TemplateError, parse
from atoll.gotext import go_json

ATOLL = str(Path(sys.executable).with_name("atoll"))


def atoll(*args, cwd):
    return subprocess.run([ATOLL, *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def project(tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "1_users.sql").write_text("CREATE TABLE users (id int);\n")
    assert atoll("migrate", "hash", cwd=tmp_path).returncode == 0
    return tmp_path


def test_a_misspelt_field_fails_with_gos_message(project):
    url = f"sqlite://{project / 'app.db'}"
    sqlite3.connect(project / "app.db").close()
    r = atoll("migrate", "status", "--url", url, "--format", "{{ .Statuss }}", cwd=project)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == ('Error: template: format:1:3: executing "format" at <.Statuss>: '
                        "can't evaluate field Statuss in type *cmdlog.MigrateStatus\n")
    r = atoll("migrate", "apply", "--url", url, "--format",
              "{{ range .Applied }}{{ .Nme }}{{ end }}", cwd=project)
    assert r.returncode == 1
    assert "can't evaluate field Nme in type *cmdlog.AppliedFile" in r.stderr


def test_omitted_fields_read_as_go_zero_values(project):
    url = f"sqlite://{project / 'app.db'}"
    r = atoll("migrate", "apply", "--url", url, "--format",
              "{{ .Current }}|{{ .Target }}|{{ .Error }}|{{ len .Applied }}|"
              "{{ range .Applied }}{{ .Name }} {{ .Skipped }} {{ .Error }}{{ end }}",
              cwd=project)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "|1||1|1_users.sql 0 <nil>"
    r = atoll("migrate", "status", "--url", url, "--format",
              "{{ .Status }} {{ .Count }} {{ len .Pending }} {{ .Env.Dir }}", cwd=project)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "OK 0 0 file://migrations"
    with sqlite3.connect(project / "plain.db") as conn:
        conn.execute("CREATE TABLE users (id int)")
    r = atoll("schema", "inspect", "--url", f"sqlite://{project / 'plain.db'}", "--format",
              "{{ range .schemas }}{{ range .tables }}{{ .name }} {{ .comment }}"
              "{{ range .columns }}{{ .name }} {{ .null }}{{ end }}{{ end }}{{ end }}",
              cwd=project)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "users id true"


def test_json_of_a_struct_keeps_omitting_empty_fields():
    data = MIGRATE_APPLY.wrap({"Driver": "sqlite", "Applied": [{"Name": "1.sql"}]})
    out = parse("{{ json . }}", {"json": go_json}).execute(data)
    assert out == '{"Driver":"sqlite","Applied":[{"Name":"1.sql"}]}'


@pytest.mark.parametrize("struct, data, field, type_name", [
    (MIGRATE_APPLY, {}, "Nope", "*cmdlog.MigrateApply"),
    (MIGRATE_STATUS, {"Env": {}}, "Env.Nope", "cmdlog.Env"),
    (SCHEMA_INSPECT, {"schemas": [{"name": "main"}]}, "Nope", "*cmdlog.SchemaInspect"),
])
def test_unknown_fields_name_the_go_type(struct, data, field, type_name):
    with pytest.raises(TemplateError, match=rf"can't evaluate field Nope in type "
                                            rf"{type_name.replace('*', '[*]')}$"):
        parse("{{ ." + field + " }}").execute(struct.wrap(data))
