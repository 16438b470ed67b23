"""Row 7: `migrate lint --latest 1` on a long directory, whole process, against
`migrate validate --dev-url` replaying the same directory (the replay lint cannot avoid).

The directory: 500 files, 490 of them one table each and ten data files of 10,000 INSERT
statements each, the last file among them (issue 16: lint used to inspect the schema after
every statement, INSERTs included, and took about ten minutes here)."""

from __future__ import annotations

import gen

ROW = "7"
TITLE = "migrate lint --latest 1, 500 files"


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


def run(ctx) -> list[dict]:
    tables, data_files, rows = (40, 4, 100) if ctx.quick else (490, 10, 10_000)
    files = lint_dir_files(tables, data_files, rows)
    path = gen.write_atlas_dir(gen.work("lint_dir"), files)
    dev = "sqlite://lintbench?mode=memory"
    lint = [gen.tool("atoll"), "migrate", "lint", "--dir", f"file://{path}", "--dev-url", dev,
            "--latest", "1"]
    validate = [gen.tool("atoll"), "migrate", "validate", "--dir", f"file://{path}",
                "--dev-url", dev]
    a = gen.run_timed(lint)
    if a.returncode not in (0, 1):
        raise gen.failure(a, "migrate lint")
    b = gen.run_timed(validate)
    if b.returncode:
        raise gen.failure(b, "migrate validate")
    note = (f"{len(files)} files, last one {'data' if files[-1].name.find('data') > 0 else 'DDL'}"
            f"; goal: lint ≤ 3 s on a cold run")
    return [gen.ratio_row(ROW, TITLE, a.seconds, "migrate validate --dev-url (replay)",
                          b.seconds, goal="≤ 3 s", note=note)]
