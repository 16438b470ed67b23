"""The lint report: template details, JSON, colours, and the lint config."""

from __future__ import annotations

import json

import pytest

from atoll.migrate.lint import (
    Change,
    Diagnostic,
    FileReport,
    LintConfig,
    LintFile,
    LintReport,
    Report,
    Stmt,
    SuggestedFix,
    lint_dir,
    lint_json,
    render_lint,
)
from atoll.migrate.lint.report import max_width
from atoll.migrate.report import GoTime

T0 = GoTime(1_700_000_000_000_000_000)


def at(ns):
    return GoTime(T0.unix_ns + ns)


def file_report(name="2.sql", text="DROP TABLE t;\n", reports=(), error="", version="2",
                changes=1):
    lf = LintFile(name, version, text, [Change(Stmt(0), [object()] * changes)])
    return FileReport(name, text, list(reports), error, lf, start=T0, end=at(1500))


DS102 = Report("destructive changes detected", (Diagnostic(
    0, 'Dropping table "t"', "DS102",
    (SuggestedFix('Add a pre-migration check to ensure table "t" is empty before dropping it'),)),))


def report(files, **kw):
    return LintReport(driver="sqlite", dev_url="sqlite://dev?mode=memory", dir="migrations",
                      files=files, start=T0, end=at(2_500_000), **kw)


def test_full_text_with_exact_durations():
    r = report([file_report(reports=[DS102], error="destructive changes detected")],
               from_version="1", to_version="2", total_files=1)
    assert render_lint(r) == (
        "Analyzing changes from version 1 to 2 (1 migration in total):\n"
        "\n"
        "  -- analyzing version 2\n"
        "    -- destructive changes detected:\n"
        '      -- L1: Dropping table "t" https://atlasgo.io/lint/analyzers#DS102\n'
        "    -- suggested fix:\n"
        '      -> Add a pre-migration check to ensure table "t" is empty before dropping it\n'
        "  -- ok (1.5µs)\n"
        "\n"
        "  -------------------------\n"
        "  -- 2.5ms\n"
        "  -- 1 version with errors\n"
        "  -- 1 schema change\n"
        "  -- 1 diagnostic\n")
    assert r.failed


def test_headers_and_statuses():
    ok = file_report(reports=[], version="1", changes=0)
    warn = file_report(reports=[DS102], version="2")
    err = file_report(reports=[DS102], error="x", version="3")
    r = report([ok, warn, err, file_report(reports=[], version="4")], to_version="4",
               total_files=4)
    text = render_lint(r)
    assert text.startswith("Analyzing changes until version 4 (4 migrations in total):\n\n")
    assert "  -- 2 versions ok, 1 with warnings, 1 with errors\n" in text
    assert "  -- 3 schema changes\n  -- 2 diagnostics\n" in text
    assert render_lint(report([warn, warn])).startswith(
        "Analyzing changes (2 migrations in total):\n\n")
    assert report([warn, warn]).version_statuses == "2 versions with warnings"
    assert render_lint(report([])) == ""


def test_line_numbers_count_newlines_before_byte_offset():
    text = "-- c\nCREATE TABLE é (x int);\nDROP TABLE é;\n"
    pos = len(text[: text.index("DROP")].encode())
    fr = file_report(text=text, reports=[Report("r", (Diagnostic(pos, "d", "X1"),))])
    assert fr.line(pos) == 3
    assert "      -- L3: d https://atlasgo.io/lint/analyzers#X1\n" in render_lint(report([fr]))


def test_unnamed_report_code_less_diagnostic_and_several_fixes():
    rep = Report("", (Diagnostic(0, "no code here", ""),
                      Diagnostic(0, "second", "", (SuggestedFix("fix one"),))),
                 suggested_fixes=(SuggestedFix("fix two"), SuggestedFix("")))
    text = render_lint(report([file_report(reports=[rep])]))
    assert ("    -- Unnamed diagnostics detected:\n"
            "      -- L1: no code here\n"
            "      -- L1: second\n"
            "    -- suggested fixes:\n"
            "      -> fix two\n"
            "      -> fix one\n") in text


def test_error_without_reports_reproduces_atlas_template_quirk():
    bad = file_report(reports=[], error="skip crashed analyzer : boom")
    text = render_lint(report([bad, file_report(version="3")]))
    assert ("  -- analyzing version 2\n"
            "Error: 2.sql\n%!(EXTRA string=skip crashed analyzer : boom)"
            "  -- analyzing version 3\n") in text


def test_max_width_matches_go_helper():
    assert max_width("a bb ccc", 3) == ["a bb", "ccc"]
    assert max_width("toolongword x", 3) == ["", "toolongword", "x"]
    assert max_width("", 10) == [""]
    # byte lengths, like Go's len()
    assert max_width("éé x", 3) == ["", "éé", "x"]
    assert max_width("é x", 3) == ["é x"]


def test_colours():
    r = report([file_report(reports=[DS102], error="e")], from_version="1", to_version="2",
               total_files=1)
    text = render_lint(r, color=True)
    assert "Analyzing changes from version \x1b[36m1\x1b[0m to \x1b[36m2\x1b[0m" in text
    assert "\x1b[33m  --\x1b[0m analyzing version \x1b[36m2\x1b[0m\n" in text
    assert "\x1b[4;90mhttps://atlasgo.io/lint/analyzers#DS102\x1b[24;0m" in text
    assert "\x1b[36m  -------------------------\x1b[0m\n" in text
    err = report([FileReport("atlas.sum", error="checksum mismatch")])
    assert "  \x1b[97;101mError: checksum mismatch\x1b[0;0m\n\n" in render_lint(err, color=True)


def test_json_object_shape():
    r = report([file_report(reports=[DS102], error="destructive changes detected")])
    r.step_result("Detect New Migration Files", "Found 1 new migration files (from 2 total)")
    r.step_result("Analyze 2.sql", "1 reports were found in analysis", r.files[0])
    data = json.loads(lint_json(r))
    assert list(data) == ["Env", "Schema", "Steps", "Files"]
    assert data["Env"]["Driver"] == "sqlite" and data["Env"]["Dir"] == "migrations"
    assert data["Env"]["URL"]["Scheme"] == "sqlite" and data["Env"]["URL"]["Schema"] == "main"
    assert data["Schema"] == {}
    file_json = {
        "Name": "2.sql", "Text": "DROP TABLE t;\n",
        "Reports": [{"Text": "destructive changes detected", "Diagnostics": [{
            "Pos": 0, "Text": 'Dropping table "t"', "Code": "DS102",
            "SuggestedFixes": [{"Message": 'Add a pre-migration check to ensure table "t" is '
                                           "empty before dropping it"}]}]}],
        "Error": "destructive changes detected"}
    assert data["Files"] == [file_json]
    assert data["Steps"] == [
        {"Name": "Detect New Migration Files", "Text": "Found 1 new migration files (from 2 total)"},
        {"Name": "Analyze 2.sql", "Text": "1 reports were found in analysis", "Result": file_json}]
    # Go's encoder: compact, HTML characters escaped
    r2 = report([file_report(text="SELECT 1 < 2 & 3 > 2;")])
    assert '"Text":"SELECT 1 \\u003c 2 \\u0026 3 \\u003e 2;"' in lint_json(r2)


def test_json_from_a_real_run(tmp_path):
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1.sql").write_text("CREATE TABLE t (id int);\n")
    (d / "2.sql").write_text("DROP TABLE t;\n")
    r = lint_dir(str(d), "sqlite://jsondev?mode=memory", latest=1)
    data = json.loads(r.json())
    assert [s["Name"] for s in data["Steps"]] == [
        "Detect New Migration Files", "Replay Migration Files", "Analyze 2.sql"]
    assert data["Steps"][0]["Text"] == "Found 1 new migration files (from 2 total)"
    assert data["Steps"][1]["Text"] == "Loaded 1 changes on dev database"
    assert data["Files"][0]["Reports"][0]["Diagnostics"][0]["Code"] == "DS102"
    assert data["Files"][0]["Error"] == "destructive changes detected"
    assert 'table "t"' in data["Schema"]["Current"]
    assert data["Schema"]["Desired"].startswith('schema "main"')
    assert data["Env"]["Dir"] == str(d)


# -- config -----------------------------------------------------------------------------------


def test_config_from_dict():
    c = LintConfig.from_dict({"latest": "2", "log": "{{ json . }}", "review": "ERROR",
                              "git": {"base": "main", "dir": "repo"},
                              "destructive": [{"error": True}, {"error": False}],
                              "naming": {"match": "x"}, "format": "ignored"})
    assert (c.latest, c.log, c.review, c.git_base, c.git_dir) == (2, "{{ json . }}", "ERROR",
                                                                  "main", "repo")
    assert c.is_error("destructive", True) is False
    assert c.options("naming") == {"match": "x"} and c.has("naming")
    assert c.settings["format"] == "ignored" and not c.has("format")
    assert LintConfig.from_dict(None) == LintConfig()
    with pytest.raises(Exception, match="expected a bool"):
        LintConfig.from_dict({"destructive": {"error": "maybe"}}).is_error("destructive", True)


def test_config_extend_follows_atlas_merge_rules():
    glob = LintConfig.from_dict({"latest": 1, "log": "G", "review": "ERROR",
                                 "destructive": {"error": False}})
    env = LintConfig.from_dict({"log": "E"}).extend(glob)
    assert (env.latest, env.log, env.review) == (1, "E", "ERROR")
    assert env.is_error("destructive", True) is False
    env2 = LintConfig.from_dict({"latest": 2, "naming": {"match": "x"}}).extend(glob)
    assert env2.latest == 2 and not env2.has("destructive") and env2.has("naming")
    git = LintConfig.from_dict({"git": {"base": "master", "dir": "."}})
    assert LintConfig.from_dict({}).extend(git).git_base == "master"
    assert LintConfig.from_dict({"latest": 3}).extend(git).git_base == ""


def test_template_data_has_atlas_field_names():
    from atoll.migrate.lint import template_data

    r = report([file_report(reports=[DS102], error="e", version="3", name="3.sql")],
               from_version="2", to_version="3", total_files=1)
    data = template_data(r)
    assert [f["Name"] for f in data["Files"]] == ["3.sql"]  # {{ range .Files }}{{ .Name }}
    assert data["Files"][0]["Version"] == "3" and len(data["Files"][0]["Reports"]) == 1
    assert (data["FromV"], data["ToV"], data["TotalFiles"]) == ("2", "3", 1)
    assert (data["DiagnosticsCount"], data["TotalChanges"]) == (1, 1)
    assert data["VersionStatuses"] == "1 version with errors"
