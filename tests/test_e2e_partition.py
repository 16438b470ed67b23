"""--partition I/N and `atoll report merge` end to end (the real executable, real SQLite files):
a fleet cut into slices run one by one, as runners of a CI matrix would, merges into the
report of the unsliced run; and deployment groups' max_failures."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from e2e_support import (
    ATOLL,
    PRODUCTION,
    REPO,
    atoll,
    clean_env,
    execute,
    failed,
    fleet_rows,
    game,
    ok,
    query,
    summary,
)

SHARDS = [f"shard_{i:02d}" for i in range(1, 13)]

CONFIG = textwrap.dedent('''
    locals {
      shards = [for i in range(1, 13) : format("shard_%02d", i)]
    }
    deployment "guarded" {
      group "canary" {
        match = ["shard_01"]
      }
      group "wave1" {
        match        = ["shard_0*"]
        parallel     = 1
        max_failures = 2
      }
      group "wave2" {
        match    = ["shard_1*"]
        parallel = 1
        on_error = CONTINUE
      }
    }
    env "shards" {
      for_each = toset(local.shards)
      url      = "sqlite://data/${each.value}.db"
      migration {
        dir = "file://migrations"
      }
    }
    env "guarded" {
      for_each   = toset(local.shards)
      url        = "sqlite://data/${each.value}.db"
      deployment = deployment.guarded
      migration {
        dir = "file://migrations"
      }
    }
''')


def project(path):
    path.mkdir()
    (path / "atlas.hcl").write_text(CONFIG)
    (path / "data").mkdir()
    migrations = path / "migrations"
    migrations.mkdir()
    (migrations / "20260101000000_users.sql").write_text(
        "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);\n")
    (migrations / "20260102000000_items.sql").write_text(
        "CREATE TABLE items (id integer PRIMARY KEY, owner integer);\n"
        "CREATE INDEX items_owner ON items (owner);\n")
    ok(atoll(path, "migrate", "hash"))
    return path


def break_shards(root, *names):
    for name in names:
        (root / "data" / f"{name}.db").write_text("this file is not a database\n" * 20)


def without_seconds(rows):
    return [{k: v for k, v in row.items() if k != "Seconds"} for row in rows]


@pytest.fixture
def twins(tmp_path):
    """Two identical projects: one for the unsliced run, one for the slices."""
    whole = project(tmp_path / "whole")
    sliced = tmp_path / "sliced"
    shutil.copytree(whole, sliced)
    return whole, sliced


def run_slices(root, n, *args):
    """Run ``args`` once per slice, as N runners would; returns (exit codes, report files)."""
    codes, files = [], []
    for i in range(n):
        r = atoll(root, *args, "--partition", f"{i}/{n}", "--format", "json")
        assert "Traceback" not in r.err, str(r)
        path = root / f"slice-{i}.json"
        path.write_text(r.out)
        codes.append(r.code)
        files.append(str(path))
    return codes, files


APPLY = ("migrate", "apply", "--env", "shards", "--continue-on-error")


def test_three_slices_merge_into_the_unsliced_apply_and_status(twins):
    whole, sliced = twins
    break_shards(whole, "shard_05")
    break_shards(sliced, "shard_05")
    r = atoll(whole, *APPLY, "--format", "json")
    assert r.code == 1, str(r)
    expected = json.loads(r.out)
    assert [row["Name"] for row in expected] == SHARDS

    codes, files = run_slices(sliced, 3, *APPLY)
    reports = [json.loads(open(f).read()) for f in files]
    assert sorted(n for rep in reports for n in (row["Name"] for row in rep["Databases"])) \
        == SHARDS
    assert all(rep["Databases"] for rep in reports), "12 shards, 3 slices: none is empty"
    holder = next(i for i, rep in enumerate(reports)
                  if any(row["Name"] == "shard_05" for row in rep["Databases"]))
    assert codes == [1 if i == holder else 0 for i in range(3)]

    r = atoll(sliced, "report", "merge", *files, "--format", "json")
    assert r.code == 1, str(r)  # shard_05 failed
    merged = json.loads(r.out)
    assert without_seconds(merged) == without_seconds(expected)
    assert [row["State"] for row in merged].count("failed") == 1
    for name in SHARDS:
        if name != "shard_05":
            assert query(sliced / "data" / f"{name}.db",
                         "SELECT count(*) FROM atlas_schema_revisions") == [(2,)]

    text = atoll(sliced, "report", "merge", *files)
    assert text.code == 1
    assert text.out.startswith("migrate apply: 3 slice(s) merged\n")
    rows = fleet_rows(text.out)
    assert list(rows) == SHARDS and rows["shard_05"]["STATE"] == "failed"
    assert summary(text.out) == "12 database(s): 1 failed, 11 ok"

    # the same for status, after the broken shard is replaced by a new, empty one
    for root in (whole, sliced):  # an empty file: status only reads, it creates no database
        (root / "data" / "shard_05.db").write_bytes(b"")
    codes, files = run_slices(sliced, 3, "migrate", "status", "--env", "shards")
    assert codes == [0, 0, 0]
    expected = json.loads(ok(atoll(whole, "migrate", "status", "--env", "shards", "--format",
                                   "json")).out)
    merged = json.loads(ok(atoll(sliced, "report", "merge", *files, "--format", "json")).out)
    assert without_seconds(merged) == without_seconds(expected)
    assert [row["State"] for row in merged] == ["ok"] * 4 + ["behind"] + ["ok"] * 7

    # drift found by the slices shows in the merged status table
    execute(sliced / "data" / "shard_09.db", "CREATE TABLE hack (id integer)")
    _, files = run_slices(sliced, 3, "migrate", "status", "--env", "shards", "--dev-url",
                          "sqlite://file?mode=memory")
    text = atoll(sliced, "report", "merge", *files)
    rows = fleet_rows(text.out)
    assert text.code == 1 and list(rows["shard_01"]) == [  # drift fails the status
        "DATABASE", "URL", "VERSION", "PENDING", "STATE", "NOTE"]
    assert rows["shard_05"]["STATE"] == "behind" and rows["shard_05"]["PENDING"] == "2"
    assert rows["shard_09"]["STATE"] == "drifted"
    assert rows["shard_09"]["NOTE"].startswith('drift: create "hack" table')


def test_merge_refuses_a_missing_or_repeated_slice(twins):
    _, root = twins
    codes, files = run_slices(root, 4, *APPLY)
    assert codes == [0, 0, 0, 0]
    r = atoll(root, "report", "merge", files[0], files[1], files[3])
    failed(r, r"^Error: report merge: missing slice\(s\) 2/4$")
    assert r.out == ""
    failed(atoll(root, "report", "merge", *files, files[2]),
           r"slice 2/4 given 2 times \(.*slice-2.json, .*slice-2.json\)")
    ok(atoll(root, "report", "merge", *reversed(files)))
    # a slice run against a different fleet (a shard added between two runners' starts)
    (root / "atlas.hcl").write_text(CONFIG.replace("range(1, 13)", "range(1, 14)"))
    r = atoll(root, *APPLY, "--partition", "1/4", "--format", "json")
    (root / "late.json").write_text(r.out)
    failed(atoll(root, "report", "merge", files[0], str(root / "late.json"), files[2],
                 files[3]), r"late.json was cut from a different fleet .*\(13 vs 12 databases\)")
    failed(atoll(root, "report", "merge", str(root / "nope.json")), r"nope.json")
    plain = root / "plain.json"
    # (shard_13 has no database file yet: that row fails, the report is written all the same)
    plain.write_text(atoll(root, "migrate", "status", "--env", "shards", "--format",
                           "json").out)
    failed(atoll(root, "report", "merge", str(plain)),
           r"plain.json: a fleet report without partition information")


@pytest.mark.parametrize("value,message", [
    ("3/3", r'--partition "3/3": index 3 is out of range for 3 partition\(s\); indexes count '
            r"from 0 \(0/3 … 2/3\)"),
    ("/3", r'--partition "/3": the index is empty \(is the environment variable'),
    ("", r"--partition is empty"),
    ("1-3", r'--partition "1-3": expected INDEX/COUNT with INDEX counted from 0'),
])
def test_bad_partition_is_one_line_and_touches_nothing(tmp_path, value, message):
    root = project(tmp_path / "p")
    failed(atoll(root, *APPLY, "--partition", value), message)
    assert list((root / "data").iterdir()) == []


def test_partition_of_a_single_url_and_of_schema_commands(tmp_path):
    root = project(tmp_path / "p")
    url = "sqlite://data/one.db"
    outs = [atoll(root, "migrate", "apply", "--url", url, "--partition", f"{i}/2")
            for i in range(2)]
    assert [o.code for o in outs] == [0, 0]
    counts = [len(fleet_rows(o.out)) for o in outs]
    assert sorted(counts) == [0, 1]  # a fleet of one lands in exactly one slice
    assert all("of 1 database(s) of the fleet" in o.out for o in outs)

    (root / "schema.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY);\n")
    for i in range(2):
        r = ok(atoll(root, "schema", "apply", "--env", "shards", "--to", "file://schema.sql",
                     "--dev-url", "sqlite://file?mode=memory", "--auto-approve",
                     "--partition", f"{i}/2"))
        assert f"partition {i}/2:" in r.out
    assert all(query(root / "data" / f"{name}.db",
                     "SELECT name FROM sqlite_master WHERE type = 'table'") == [("t",)]
               for name in SHARDS)
    inspected = [json.loads(ok(atoll(root, "schema", "inspect", "--env", "shards",
                                     "--format", "json", "--partition", f"{i}/2")).out)
                 for i in range(2)]
    assert sorted([*inspected[0], *inspected[1]]) == SHARDS


def test_max_failures_stops_the_rollout_and_lists_the_untouched(tmp_path):
    root = project(tmp_path / "p")
    break_shards(root, "shard_03", "shard_05", "shard_07")
    r = atoll(root, "migrate", "apply", "--env", "guarded")
    assert r.code == 1, str(r)
    rows = fleet_rows(r.out)
    states = {name: rows[name]["STATE"] for name in SHARDS}
    assert states == {
        "shard_01": "ok", "shard_02": "ok", "shard_03": "failed", "shard_04": "ok",
        "shard_05": "failed",
        **{f"shard_{i:02d}": "skipped" for i in range(6, 13)}}
    assert rows["shard_06"]["ERROR"] == "not started: max_failures = 2 reached"
    assert rows["shard_10"]["ERROR"] == 'not started: group "wave1" reached max_failures = 2'
    assert summary(r.out) == "12 database(s): 2 failed, 3 ok, 7 skipped"
    for i in (6, 8, 9, 10, 11, 12):  # untouched: not even created
        assert not (root / "data" / f"shard_{i:02d}.db").exists()

    js = json.loads(atoll(root, "migrate", "apply", "--env", "guarded", "--format", "json").out)
    by_name = {row["Name"]: row for row in js}
    assert by_name["shard_06"]["State"] == "skipped"
    assert by_name["shard_06"]["Error"] == "not started: max_failures = 2 reached"
    assert by_name["shard_11"]["Error"] == 'not started: group "wave1" reached max_failures = 2'

    # below the threshold the group goes on and the next group runs
    (root / "data" / "shard_05.db").unlink()
    (root / "data" / "shard_07.db").unlink()
    r = atoll(root, "migrate", "apply", "--env", "guarded")
    assert r.code == 1, str(r)
    rows = fleet_rows(r.out)
    assert [rows[n]["STATE"] for n in SHARDS] == ["ok", "ok", "failed"] + ["ok"] * 9


# --- the shipped examples run as written ----------------------------------------------------

EXAMPLES = REPO / "docs" / "examples"


def _run_shell(root, command, env):
    proc = subprocess.run(["sh", "-c", command], cwd=root, env=clean_env(**env),
                          capture_output=True, text=True, timeout=120, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode


def _production(tmp_path):
    root = game(tmp_path)
    data = tmp_path / "prod"
    data.mkdir()
    env = {"PRODUCTION_DATA_DIR": str(data), "PATH": f"{Path(ATOLL[0]).parent}:"
           + os.environ.get("PATH", "")}
    ok(atoll(root, "migrate", "apply", "--config", PRODUCTION, "--env", "master", env=env))
    return root, data, env


def test_github_actions_example_slices_and_merges(tmp_path):
    text = (EXAMPLES / "github-actions-partitioned-apply.yml").read_text()
    slices = [int(x) for x in re.search(r"slice: \[([\d, ]+)\]", text).group(1).split(",")]
    assert slices == list(range(len(slices)))  # 0-based, as --partition wants
    config = re.search(r'CONFIG: "([^"]+)"', text).group(1)
    step = re.search(r"run: \|\n((?:\s+.*\\\n)*\s+.*)\n", text.split("Apply to this")[1]).group(1)
    merge = re.search(r"run: (atoll report merge .*)", text).group(1)
    root, data, env = _production(tmp_path)
    env["CONFIG"] = config
    (root / "slices").mkdir()
    for i in slices:
        command = step.replace("${{ matrix.slice }}", str(i)).replace(
            "${{ strategy.job-total }}", str(len(slices)))
        assert _run_shell(root, command + f" && mv slice-{i}.json slices/", env) == 0
    assert _run_shell(root, merge, env) == 0
    assert all(query(data / f"sharding_db_{i}.db", "SELECT count(*) FROM users") == [(0,)]
               for i in range(1, 5))
    (root / "slices" / "slice-1.json").unlink()  # a runner died before its upload
    assert _run_shell(root, merge, env) == 1


def test_kubernetes_indexed_job_example_slices_and_merges(tmp_path):
    text = (EXAMPLES / "k8s-indexed-job.yaml").read_text()
    assert "completionMode: Indexed" in text
    completions = int(re.search(r"completions: (\d+)", text).group(1))
    partitions = int(re.search(r'name: PARTITIONS\n\s+value: "(\d+)"', text).group(1))
    assert completions == partitions
    folded = re.search(r"- >-\n((?:\s{14}.*\n)+)", text).group(1)
    command = " ".join(line.strip() for line in folded.splitlines())
    merge = re.search(r'"(atoll report merge [^"]+)"', text).group(1)
    root, data, env = _production(tmp_path)
    reports = tmp_path / "reports"
    reports.mkdir()
    env["PARTITIONS"] = str(partitions)
    for i in range(completions):
        env["JOB_COMPLETION_INDEX"] = str(i)
        assert _run_shell(root, command.replace("/reports/", f"{reports}/"), env) == 0
    assert sorted(os.listdir(reports)) == [f"slice-{i}.json" for i in range(completions)]
    assert _run_shell(root, merge.replace("/reports/", f"{reports}/"), env) == 0
