"""Row 7: `migrate lint --latest 1` on a long directory, whole process, cold, against
`migrate validate --dev-url` replaying the same directory (the replay lint cannot avoid).
Rows 12 and 13: `migrate diff` and `migrate lint --latest 1` on the same directory, run a
second time: the replayed dev state then comes from the replay cache, against the first
(cold) run of the same command.

The directory: 500 files, 490 of them one table each and ten data files of 10,000 INSERT
statements each, the last file among them (issue 16: lint used to inspect the schema after
every statement, INSERTs included, and took about ten minutes here). Every run uses a cache
directory of its own under bench/.work (XDG_CACHE_HOME), so "cold" means cold."""

from __future__ import annotations

import os
import re
import shutil

import gen

ROW = "7"
TITLE = "migrate lint --latest 1, 500 files"
DIFF_ROW, DIFF_TITLE = "12", "migrate diff, 500 files, second run (cached replay)"
LINT_ROW, LINT_TITLE = "13", "migrate lint --latest 1, 500 files, second run (cached)"


def lint_dir_files(tables: int, data_files: int, rows: int) -> list[gen.MigrationFile]:
    files: list[gen.MigrationFile] = []
    every = max(1, (tables + data_files) // data_files)
    t = d = 0
    for i in range(tables + data_files):
        version = f"{i + 1:014d}"
        last = i == tables + data_files - 1
        if (d < data_files and (i + 1) % every == 0) or (last and d < data_files):
            text = "".join(f"INSERT INTO t0 (a, b) VALUES ('row {r}', {r});\n"
                           for r in range(rows))
            files.append(gen.MigrationFile(f"{version}_data_{d}.sql", [], text=text))
            d += 1
        else:
            files.append(gen.MigrationFile(
                f"{version}_t{t}.sql", [],
                text=f"CREATE TABLE t{t} (id integer PRIMARY KEY, a text, b integer);\n"))
            t += 1
    return files


EXTRA_TABLE = ('table "extra" {\n  schema = schema.main\n  column "id" {\n    null = false\n'
               '    type = integer\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n')


def _env(cache: str) -> dict:
    return dict(os.environ, XDG_CACHE_HOME=cache)


def run(ctx) -> list[dict]:
    tables, data_files, rows = (40, 4, 100) if ctx.quick else (490, 10, 10_000)
    files = lint_dir_files(tables, data_files, rows)
    path = gen.write_atlas_dir(gen.work("lint_dir"), files)
    dev = "sqlite://lintbench?mode=memory"
    atoll = gen.tool("atoll")
    lint = [atoll, "migrate", "lint", "--dir", f"file://{path}", "--dev-url", dev,
            "--latest", "1"]
    validate = [atoll, "migrate", "validate", "--dir", f"file://{path}", "--dev-url", dev]
    for d in ("cache_lint", "cache_validate", "cache_diff", "cache_inspect"):
        gen.fresh_dir(gen.work(d))
    a = gen.run_timed(lint, env=_env(gen.work("cache_lint")))
    if a.returncode not in (0, 1):
        raise gen.failure(a, "migrate lint")
    b = gen.run_timed(validate, env=_env(gen.work("cache_validate")))
    if b.returncode:
        raise gen.failure(b, "migrate validate")
    a2 = gen.run_timed(lint, env=_env(gen.work("cache_lint")))
    if a2.returncode != a.returncode or _no_times(a2.stdout) != _no_times(a.stdout):
        raise gen.NotAvailable("the cached lint run reported something else than the cold one")

    # migrate diff: the directory's schema plus one table, written once (not timed)
    schema = gen.run_timed([atoll, "schema", "inspect", "--url", f"file://{path}", "--dev-url",
                            dev], env=_env(gen.work("cache_inspect")))
    if schema.returncode:
        raise gen.failure(schema, "schema inspect")
    desired = gen.work("lint_desired.hcl")
    with open(desired, "w", encoding="utf-8") as fh:
        fh.write(schema.stdout + EXTRA_TABLE)
    diffs = []
    for _ in range(2):
        copy = gen.work("diff_dir")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(path, copy)
        t = gen.run_timed([atoll, "migrate", "diff", "extra", "--dir", f"file://{copy}",
                           "--dev-url", dev, "--to", f"file://{desired}"],
                          env=_env(gen.work("cache_diff")))
        if t.returncode:
            raise gen.failure(t, "migrate diff")
        written = [n for n in os.listdir(copy) if n.endswith("_extra.sql")]
        if len(written) != 1:
            raise gen.NotAvailable(f"migrate diff wrote {written}")
        with open(os.path.join(copy, written[0]), encoding="utf-8") as fh:
            t.stdout = fh.read()
        diffs.append(t)
    if diffs[0].stdout != diffs[1].stdout or "CREATE TABLE `extra`" not in diffs[0].stdout:
        raise gen.NotAvailable("the cached diff wrote something else than the cold one")

    note = (f"{len(files)} files, last one {'data' if files[-1].name.find('data') > 0 else 'DDL'}"
            f"; goal: lint ≤ 3 s on a cold run")
    rows_out = [gen.ratio_row(ROW, TITLE, a.seconds, "migrate validate --dev-url (replay)",
                              b.seconds, goal="≤ 3 s", note=note)]
    cache_note = (f"CPU (user+sys) second run / first run: diff {diffs[1].cpu:.2f} / "
                  f"{diffs[0].cpu:.2f} s, lint {a2.cpu:.2f} / {a.cpu:.2f} s; output identical")
    rows_out += [
        gen.ratio_row(DIFF_ROW, DIFF_TITLE, diffs[1].seconds, "first run (replays)",
                      diffs[0].seconds, goal="≤ 1.0 s", note=cache_note),
        gen.ratio_row(LINT_ROW, LINT_TITLE, a2.seconds, "first run (row 7)", a.seconds,
                      goal="≤ 1.0 s"),
    ]
    for r in rows_out:
        if r["row"] == ROW:
            r["met"] = r["secs"] <= 3.0
        else:
            r["met"] = r["secs"] <= 1.0
    return rows_out


def _no_times(text: str) -> str:
    return re.sub(r"\d+(\.\d+)?(ns|µs|ms|s)\b", "«d»", text)
