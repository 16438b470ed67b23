"""``lint_dir`` end to end on real SQLite dev databases: file selection, replay, nolint,
errors, and the exact text Atlas prints."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from atoll.errors import AtollError
from atoll.migrate.directory import hash_dir
from atoll.migrate.lint import lint_dir, lint_json, render_lint

DEV = "sqlite://lintdev?mode=memory"


def write(d, files):
    os.makedirs(d, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as fh:
            fh.write(text)
    return str(d)


def norm(text: str) -> str:
    """Durations → «d»."""
    text = re.sub(r"-- ok \([^)\n]*\)", "-- ok («d»)", text)
    return re.sub(r"(?m)^  -- [0-9][0-9.hmµns]*$", "  -- «d»", text)


def run(d, **kw):
    r = lint_dir(d, DEV, **kw)
    return norm(render_lint(r)), r


DESTRUCTIVE = {
    "1.sql": "CREATE TABLE users (id int);\n\nCREATE TABLE pets (id int);\n\n"
             "ALTER TABLE users RENAME COLUMN id TO oid;\n",
    "2.sql": "DROP TABLE users;\n",
    "3.sql": "DROP TABLE pets;\n",
}


def test_destructive_latest_1_exact_text(tmp_path):
    d = write(tmp_path / "migrations", DESTRUCTIVE)
    text, r = run(d, latest=1)
    assert text == (
        "Analyzing changes from version 2 to 3 (1 migration in total):\n"
        "\n"
        "  -- analyzing version 3\n"
        "    -- destructive changes detected:\n"
        '      -- L1: Dropping table "pets" https://atlasgo.io/lint/analyzers#DS102\n'
        "    -- suggested fix:\n"
        '      -> Add a pre-migration check to ensure table "pets" is empty before dropping it\n'
        "  -- ok («d»)\n"
        "\n"
        "  -------------------------\n"
        "  -- «d»\n"
        "  -- 1 version with errors\n"
        "  -- 1 schema change\n"
        "  -- 1 diagnostic\n")
    assert r.failed and r.exit_code == 1


def test_destructive_latest_2_and_all(tmp_path):
    d = write(tmp_path / "migrations", DESTRUCTIVE)
    text, r = run(d, latest=2)
    assert r.exit_code == 1
    assert text.startswith("Analyzing changes from version 1 to 3 (2 migrations in total):\n\n"
                           "  -- analyzing version 2\n")
    assert text.endswith("  -- 2 versions with errors\n  -- 2 schema changes\n"
                         "  -- 2 diagnostics\n")
    text, _r = run(d, latest=5)
    assert text.startswith("Analyzing changes until version 3 (3 migrations in total):\n\n"
                           "  -- analyzing version 1\n    -- no diagnostics found\n"
                           "  -- ok («d»)\n\n")
    # version 1: 2 created tables + the rename (a drop and an add of a column created in the
    # same file: no DS103), versions 2 and 3: one drop each
    assert text.endswith("  -- 1 version ok, 2 with errors\n  -- 5 schema changes\n"
                         "  -- 2 diagnostics\n")


def test_destructive_as_warning_from_config(tmp_path):
    d = write(tmp_path / "migrations", DESTRUCTIVE)
    text, r = run(d, config={"latest": 1, "destructive": {"error": False}})
    assert "  -- 1 version with warnings\n" in text and r.exit_code == 0
    text, r = run(d, config={"latest": 1, "destructive": {"error": True}})
    assert "  -- 1 version with errors\n" in text and r.exit_code == 1


BASE = "CREATE TABLE users (id int);\nCREATE TABLE pets (id int);\n"
MF103_L1 = (
    '      -- L1: Adding a non-nullable "text" column "name" will fail in case table "users" is not\n'
    "         empty https://atlasgo.io/lint/analyzers#MF103\n")


def _ignore_case(body):
    return (
        "Analyzing changes from version 1 to 2 (1 migration in total):\n\n"
        "  -- analyzing version 2\n" + body + "  -- ok («d»)\n\n"
        "  -------------------------\n  -- «d»\n")


@pytest.mark.parametrize("second, expected", [
    (("\n-- atlas:nolint\nALTER TABLE users ADD COLUMN name text NOT NULL;\n\n"
     "-- atlas:nolint\nDROP TABLE pets;\n"),
     _ignore_case("    -- no diagnostics found\n") + "  -- 1 version ok\n  -- 2 schema changes\n"),
    (("\n-- atlas:nolint data_depend\nALTER TABLE users ADD COLUMN name text NOT NULL;\n\n"
     "-- atlas:nolint destructive\nDROP TABLE pets;\n"),
     _ignore_case("    -- no diagnostics found\n") + "  -- 1 version ok\n  -- 2 schema changes\n"),
    ("ALTER TABLE users ADD COLUMN name text NOT NULL;\n-- atlas:nolint DS102\nDROP TABLE pets;\n",
     _ignore_case("    -- data dependent changes detected:\n" + MF103_L1)
     + "  -- 1 version with warnings\n  -- 2 schema changes\n  -- 1 diagnostic\n"),
    ("-- atlas:nolint\n\nDROP TABLE pets;\nALTER TABLE users ADD COLUMN name text NOT NULL;\n", ""),
    (("-- atlas:nolint destructive\n\nDROP TABLE pets;\n"
     "ALTER TABLE users ADD COLUMN name text NOT NULL;\n"),
     _ignore_case("    -- data dependent changes detected:\n" + MF103_L1.replace("L1:", "L4:"))
     + "  -- 1 version with warnings\n  -- 2 schema changes\n  -- 1 diagnostic\n"),
    (("-- atlas:nolint destructive data_depend\n\nDROP TABLE pets;\n"
     "ALTER TABLE users ADD COLUMN name text NOT NULL;\n"),
     _ignore_case("    -- no diagnostics found\n") + "  -- 1 version ok\n  -- 2 schema changes\n"),
], ids=["stmt-bare", "stmt-names", "stmt-code", "file-bare", "file-name", "file-names"])
def test_nolint_directives(tmp_path, second, expected):
    d = write(tmp_path / "m", {"1.sql": BASE, "2.sql": second})
    text, r = run(d, latest=1)
    assert text == expected
    assert r.exit_code == 0


def test_mf103_without_nolint_is_warning_and_ds102_error(tmp_path):
    d = write(tmp_path / "m", {"1.sql": BASE, "2.sql": "ALTER TABLE users ADD COLUMN name text "
                                                       "NOT NULL;\nDROP TABLE pets;\n"})
    text, _r = run(d, latest=1)
    assert text == _ignore_case(
        "    -- destructive changes detected:\n"
        '      -- L2: Dropping table "pets" https://atlasgo.io/lint/analyzers#DS102\n'
        "    -- data dependent changes detected:\n" + MF103_L1 +
        "    -- suggested fix:\n"
        '      -> Add a pre-migration check to ensure table "pets" is empty before dropping it\n'
    ) + "  -- 1 version with errors\n  -- 2 schema changes\n  -- 2 diagnostics\n"


def test_ds103_drop_column_and_its_nolint(tmp_path):
    base = {"1.sql": "CREATE TABLE t (a int, b int, c int);\n"}
    d = write(tmp_path / "m", {**base, "2.sql": "ALTER TABLE t DROP COLUMN b;\n"})
    text, r = run(d, latest=1)
    assert ('      -- L1: Dropping non-virtual column "b" https://atlasgo.io/lint/analyzers#DS103\n'
            "    -- suggested fix:\n"
            '      -> Add a pre-migration check to ensure column "b" is NULL before dropping it\n'
            ) in text
    assert r.exit_code == 1
    d = write(tmp_path / "n", {**base, "2.sql": "-- atlas:nolint DS103\nALTER TABLE t DROP COLUMN b;\n"})
    text, r = run(d, latest=1)
    assert "no diagnostics found" in text and r.exit_code == 0


REBUILD = (
    "PRAGMA foreign_keys = off;\n"
    "CREATE TABLE `new_t` ({cols});\n"
    "INSERT INTO `new_t` ({names}) SELECT {names} FROM `t`;\n"
    "DROP TABLE `t`;\n"
    "ALTER TABLE `new_t` RENAME TO `t`;\n"
    "PRAGMA foreign_keys = on;\n")


def test_table_rebuild_folds_into_one_change_lt101_and_plural_ds103(tmp_path):
    base = {"1.sql": "CREATE TABLE o (id int PRIMARY KEY);\n"
                     "CREATE TABLE t (a int, b int, c int, o int, "
                     "CONSTRAINT fk_o FOREIGN KEY (o) REFERENCES o (id));\n"}
    second = REBUILD.format(cols="`a` int NOT NULL, `o` int", names="`a`, `o`")
    d = write(tmp_path / "m", {**base, "2.sql": second})
    text, r = run(d, latest=1)
    assert text == _ignore_case(
        "    -- destructive changes detected:\n"
        '      -- L2: Dropping non-virtual columns "b" and "c"\n'
        "         https://atlasgo.io/lint/analyzers#DS103\n"
        "    -- data dependent changes detected:\n"
        '      -- L2: Modifying nullable column "a" to non-nullable without default value might fail in\n'
        "         case it contains NULL values https://atlasgo.io/lint/analyzers#LT101\n"
        "    -- constraint deletion detected:\n"
        '      -- L2: Dropping foreign-key constraint "fk_o"\n'
        "         https://atlasgo.io/lint/analyzers#CD101\n"
        "    -- suggested fix:\n"
        '      -> Add pre-migration checks to ensure columns "b" and "c" are NULL before dropping them\n'
    ) + "  -- 1 version with errors\n  -- 1 schema change\n  -- 3 diagnostics\n"
    # a nolint on the CREATE statement covers the whole rebuild
    d = write(tmp_path / "n", {**base, "2.sql": second.replace(
        "CREATE TABLE `new_t`", "-- atlas:nolint\nCREATE TABLE `new_t`")})
    text, r = run(d, latest=1)
    assert "no diagnostics found" in text and r.exit_code == 0


def test_mf101_unique_index_and_nolint(tmp_path):
    base = {"1.sql": "CREATE TABLE t (a int, b int);\n"}
    d = write(tmp_path / "m", {**base, "2.sql": "CREATE UNIQUE INDEX t_a ON t (a);\n"})
    text, r = run(d, latest=1)
    # word lengths up to "contains" sum to 65; "duplicate" would make 74 > 72: wrap
    assert ('      -- L1: Adding a unique index "t_a" on table "t" might fail in case column "a" '
            "contains\n         duplicate entries https://atlasgo.io/lint/analyzers#MF101\n") in text
    assert r.exit_code == 0
    d = write(tmp_path / "n", {**base, "2.sql": "-- atlas:nolint MF101\n"
                                                "CREATE UNIQUE INDEX t_a ON t (a);\n"})
    assert "no diagnostics found" in run(d, latest=1)[0]


def test_naming_analyzer_when_configured(tmp_path):
    d = write(tmp_path / "m", {"1.sql": "CREATE TABLE Users (id int);\n"})
    text, r = run(d, latest=1)
    assert "no diagnostics found" in text
    text, r = run(d, latest=1, config={"naming": {"match": "^[a-z]+$", "message": "lower"}})
    assert ('      -- L1: Table named "Users" violates the naming policy: lower\n'
            "         https://atlasgo.io/lint/analyzers#NM102\n") in text
    assert r.exit_code == 0
    d = write(tmp_path / "n", {"1.sql": "-- atlas:nolint naming\nCREATE TABLE Users (id int);\n"})
    text, r = run(d, latest=1, config={"naming": {"match": "^[a-z]+$", "error": True}})
    assert "no diagnostics found" in text and r.exit_code == 0


def test_first_file_with_many_statements_is_one_batch(tmp_path):
    stmts = "".join(f"CREATE TABLE t{i} (id int);\n" for i in range(11)) + "DROP TABLE t0;\n"
    d = write(tmp_path / "m", {"1.sql": stmts})
    text, r = run(d, latest=1)
    changes = r.files[0].file.changes
    assert len(changes) == 1 and changes[0].stmt.pos == 0
    assert "no diagnostics found" in text and "  -- 10 schema changes\n" in text
    # the same file after a base file runs statement by statement: DS102 is temporary → none
    d = write(tmp_path / "n", {"0.sql": "CREATE TABLE x (id int);\n", "1.sql": stmts})
    text, r = run(d, latest=1)
    assert len(r.files[0].file.changes) == 12 and "  -- 12 schema changes\n" in text


def test_replay_error_is_reported(tmp_path):
    d = write(tmp_path / "m", {"1.sql": "CREATE TABLE t (id int);\n",
                               "2.sql": "CREATE TABLE u (id int);\nBORING;\n"})
    text, r = run(d, latest=1)
    assert text == ("Analyzing changes from version 1 to 2 (1 migration in total):\n\n"
                    '  Error: executing statement: BORING;: near "BORING": syntax error\n\n'
                    "  -------------------------\n  -- «d»\n  -- 1 version with errors\n")
    assert r.exit_code == 1
    # a broken base file: Atlas leaves the statement out of the message
    d = write(tmp_path / "n", {"1.sql": "BORING;\n", "2.sql": "CREATE TABLE u (id int);\n"})
    text, r = run(d, latest=1)
    assert '  Error: executing statement: near "BORING": syntax error\n' in text


def test_checksum_error_for_hand_edited_file(tmp_path):
    d = write(tmp_path / "m", {"1.sql": "CREATE TABLE t (id int);\n",
                               "2.sql": "DROP TABLE t;\n"})
    hash_dir(d)
    text, r = run(d, latest=1)
    assert "DS102" in text  # valid sum: linted normally
    assert r.steps[0].name == "Migration Integrity Check"
    assert r.steps[0].text == "File atlas.sum is valid"
    with open(os.path.join(d, "1.sql"), "a") as fh:
        fh.write("-- edited\n")
    text, r = run(d, latest=1)
    assert text == ("Analyzing changes (1 migration in total):\n\n"
                    "  Error: checksum mismatch (atlas.sum): L2: 1.sql was edited\n\n"
                    "  -------------------------\n  -- «d»\n  -- 1 version with errors\n")
    assert r.exit_code == 1
    assert json.loads(lint_json(r))["Steps"] == [
        {"Name": "Migration Integrity Check", "Text": "File atlas.sum is invalid",
         "Error": "checksum mismatch"}]


def test_missing_sum_file_is_accepted(tmp_path):
    d = write(tmp_path / "m", {"1.sql": "CREATE TABLE t (id int);\n"})
    _text, r = run(d, latest=1)
    assert r.exit_code == 0 and r.steps[0].name == "Detect New Migration Files"


def test_flag_errors_and_empty_dir(tmp_path):
    d = write(tmp_path / "m", {"1.sql": "CREATE TABLE t (id int);\n"})
    with pytest.raises(AtollError, match=r"^--latest or --git-base is required$"):
        lint_dir(d, DEV)
    with pytest.raises(AtollError, match=r"^--latest and --git-base are mutually exclusive$"):
        lint_dir(d, DEV, latest=1, git_base="master")
    empty = write(tmp_path / "e", {})
    r = lint_dir(empty, DEV, latest=1)
    assert render_lint(r) == "" and r.exit_code == 0


def test_dev_database_must_be_clean(tmp_path):
    db = tmp_path / "dev.db"
    import sqlite3

    con = sqlite3.connect(db)
    con.execute("CREATE TABLE leftover (id int)")
    con.commit()
    con.close()
    d = write(tmp_path / "m", {"1.sql": "CREATE TABLE t (id int);\n"})
    with pytest.raises(AtollError, match=r'^taking database snapshot: sql/migrate: connected '
                                         r'database is not clean: found table "leftover"$'):
        lint_dir(d, f"sqlite://{db}", latest=1)


def test_dev_database_is_wiped_after_lint(tmp_path):
    db = tmp_path / "dev.db"
    d = write(tmp_path / "m", DESTRUCTIVE)
    lint_dir(d, f"sqlite://{db}", latest=2)
    r = lint_dir(d, f"sqlite://{db}", latest=2)  # would fail if tables were left behind
    assert r.exit_code == 1


def run_git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", "-c",
                    "init.defaultBranch=master", *args], cwd=repo, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_base_selects_files_added_on_branch(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    write(repo / "migrations", {"1.sql": "CREATE TABLE users (id int);\n",
                                "2.sql": "CREATE TABLE pets (id int);\n"})

    def git(*args):
        run_git(repo, *args)

    git("init")
    git("add", ".")
    git("commit", "-m", "base")
    git("checkout", "-b", "feature")
    write(repo / "migrations", {"3.sql": "DROP TABLE users;\n",
                                "4.sql": "ALTER TABLE pets ADD COLUMN name text NOT NULL;\n"})
    git("add", ".")
    git("commit", "-m", "feature")
    monkeypatch.chdir(repo)
    text, r = run("migrations", git_base="master")
    assert text.startswith("Analyzing changes from version 2 to 4 (2 migrations in total):\n")
    assert "  -- analyzing version 3\n" in text and "  -- analyzing version 4\n" in text
    assert "  -- 1 version with warnings, 1 with errors\n" in text
    # from another directory, with --git-dir
    monkeypatch.chdir(tmp_path)
    r = lint_dir(str(repo / "migrations"), DEV, git_base="master", git_dir=str(repo))
    assert [f.name for f in r.files] == ["3.sql", "4.sql"]
    # from the lint block
    monkeypatch.chdir(repo)
    r = lint_dir("migrations", DEV, config={"git": {"base": "master"}})
    assert [f.name for f in r.files] == ["3.sql", "4.sql"]
    # nothing added relative to the branch itself
    r = lint_dir("migrations", DEV, git_base="feature")
    assert r.files == [] and render_lint(r) == ""
    with pytest.raises(AtollError, match=r"^git diff: exit status 128$"):
        lint_dir("migrations", DEV, git_base="no-such-branch")


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_base_sees_staged_and_untracked_files(tmp_path, monkeypatch):
    """The pre-commit case: a new migration staged (or not yet added) but not committed is
    linted against the base, as are committed ones; an unchanged base sees nothing new."""
    repo = tmp_path / "repo"
    write(repo / "migrations", {"1.sql": "CREATE TABLE users (id int);\n",
                                "2.sql": "CREATE TABLE pets (id int);\n"})

    def git(*args):
        run_git(repo, *args)

    git("init")
    git("add", ".")
    git("commit", "-m", "base")
    git("tag", "base")
    monkeypatch.chdir(repo)
    assert lint_dir("migrations", DEV, git_base="base").files == []
    write(repo / "migrations", {"3.sql": "DROP TABLE users;\n"})
    git("add", "migrations/3.sql")                       # staged, not committed
    r = lint_dir("migrations", DEV, git_base="base")
    assert [f.name for f in r.files] == ["3.sql"] and r.exit_code == 1
    write(repo / "migrations", {"4.sql": "DROP TABLE pets;\n"})   # untracked
    r = lint_dir("migrations", DEV, git_base="base")
    assert [f.name for f in r.files] == ["3.sql", "4.sql"]
    git("commit", "-m", "three")                         # committed on top of the base
    (repo / ".gitignore").write_text("migrations/4.sql\n")         # ignored files are not new
    assert [f.name for f in lint_dir("migrations", DEV, git_base="HEAD").files] == []
    assert [f.name for f in lint_dir("migrations", DEV, git_base="base").files] == [
        "3.sql", "4.sql"]
    # an old file edited in the working tree is linted again, with every file after it
    (repo / "migrations" / "2.sql").write_text("CREATE TABLE pets (id int, name text);\n")
    r = lint_dir("migrations", DEV, git_base="HEAD")
    assert [f.name for f in r.files] == ["2.sql", "3.sql", "4.sql"]


def test_replay_inspects_only_after_statements_that_change_the_schema(tmp_path, monkeypatch):
    """A data file of many INSERTs is replayed without inspecting the schema after each one
    (SQLite's schema_version says nothing changed); DDL in between is still seen."""
    from atoll.dialects.sqlite import SQLiteDialect

    inserts = "".join(f"INSERT INTO users (id) VALUES ({i});\n" for i in range(200))
    d = write(tmp_path / "m", {
        "1.sql": "CREATE TABLE users (id int);\n",
        "2.sql": inserts + "DROP TABLE users;\n" + inserts.replace("users", "pets").replace(
            "INSERT", "CREATE TABLE IF NOT EXISTS pets (id int);\nINSERT", 1)})
    calls = []
    real = SQLiteDialect.inspect
    monkeypatch.setattr(SQLiteDialect, "inspect",
                        lambda self, conn, **kw: calls.append(1) or real(self, conn, **kw))
    r = lint_dir(d, DEV, latest=1)
    assert len(calls) < 10, len(calls)
    changes = [c for c in r.files[0].file.changes if c.changes]
    assert len(changes) == 2  # the DROP TABLE and the CREATE TABLE, nothing for INSERTs
    assert r.exit_code == 1   # the drop is still a destructive change
