"""The library API: what the CLI does, callable from Python."""

from __future__ import annotations

import atoll


def write(path, text):
    path.write_text(text)
    return path


def test_migrate_status_inspect_plan_lint(tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    write(migrations / "1_users.sql", "CREATE TABLE users (id int NOT NULL, name text);\n")
    write(migrations / "2_drop.sql", "DROP TABLE users;\n")
    from atoll.migrate.directory import hash_dir

    hash_dir(migrations)
    url = f"sqlite://{tmp_path / 'app.db'}"

    report = atoll.apply(url, str(migrations), amount=1)
    assert report.error is None and [f.version for f in report.applied] == ["1"]
    state = atoll.status(url, str(migrations))
    assert (state.status, state.current, [f.version for f in state.pending]) == ("PENDING", "1",
                                                                              ["2"])

    schema = atoll.inspect(url, exclude=["atlas_schema_revisions"])
    assert [t.name for t in schema.tables] == ["users"]

    hcl = write(tmp_path / "schema.hcl", 'schema "main" {}\ntable "users" {\n'
                '  schema = schema.main\n  column "id" {\n    type = int\n  }\n}\n')
    statements = atoll.plan(url, f"file://{hcl}")
    # The revisions table is the migration history, never planned away.
    assert not any("atlas_schema_revisions" in s.sql for s in statements)
    hcl.write_text('schema "main" {}\n')
    assert [s.comment for s in atoll.plan(url, f"file://{hcl}")] == [
        "Disable the enforcement of foreign-keys constraints", 'Drop "users" table',
        "Enable back the enforcement of foreign-keys constraints"]

    found = atoll.lint(str(migrations), "sqlite://lintdev?mode=memory", latest=1)
    assert found.exit_code == 1  # dropping a table is destructive


def test_errors_are_atoll_errors(tmp_path):
    try:
        atoll.apply(f"sqlite://{tmp_path / 'x.db'}", str(tmp_path / "missing"))
    except atoll.AtollError as exc:
        assert "no such file or directory" in str(exc)
    else:
        raise AssertionError("a missing directory must raise")


def test_missing_directory_creates_no_database_file(tmp_path):
    db = tmp_path / "x.db"
    try:
        atoll.apply(f"sqlite://{db}", str(tmp_path / "missing"))
    except atoll.AtollError:
        pass
    assert not db.exists()


def test_dir_shows_only_the_public_api():
    assert dir(atoll) == sorted(atoll.__all__)
    assert {"apply", "status", "inspect", "plan", "lint", "AtollError"} <= set(dir(atoll))


def test_plan_takes_exclude_patterns(tmp_path):
    url = f"sqlite://{tmp_path / 'app.db'}"
    import sqlite3

    with sqlite3.connect(tmp_path / "app.db") as conn:
        conn.executescript("CREATE TABLE users (id int); CREATE TABLE tmp_a (id int);")
    hcl = write(tmp_path / "schema.hcl", 'schema "main" {}\ntable "users" {\n'
                '  schema = schema.main\n  column "id" {\n    type = int\n    null = true\n  }\n}\n')
    planned = " ".join(s.sql for s in atoll.plan(url, f"file://{hcl}"))
    assert "tmp_a" in planned
    assert atoll.plan(url, f"file://{hcl}", exclude=["tmp_*"]) == []


def test_readme_python_block_runs_as_written(tmp_path, monkeypatch):
    """The README's "From Python" block, executed in a project with a migration directory
    and a schema file, as a reader would run it."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = re.search(r"## From Python\n+```python\n(.*?)```", readme, re.S).group(1)
    (tmp_path / "migrations").mkdir()
    write(tmp_path / "migrations" / "1_users.sql", "CREATE TABLE users (id int);\n")
    from atoll.migrate.directory import hash_dir

    hash_dir(tmp_path / "migrations")
    write(tmp_path / "schema.hcl", 'schema "main" {}\ntable "users" {\n'
          '  schema = schema.main\n  column "id" {\n    type = int\n  }\n}\n')
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    assert (tmp_path / "app.db").exists()
