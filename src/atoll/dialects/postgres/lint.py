"""PostgreSQL's own ``migrate lint`` rules: indexes built or dropped on a live table.

``CREATE INDEX`` and ``DROP INDEX`` hold a lock that blocks every write to the table for as
long as the index takes to build, which on a big table is minutes to hours; ``CONCURRENTLY``
avoids it, but cannot run inside a transaction. With ``lint { concurrent_index { } }`` in
the project (``error = true`` to fail the run), the ``concurrent_index`` analyzer reports,
as Atlas's paid build does:

* PG101 an index created without ``CONCURRENTLY`` on a table that existed before the file;
* PG102 a ``CONCURRENTLY`` statement in a file without ``-- atlas:txmode none``;
* PG103 an index dropped without ``CONCURRENTLY``."""

from __future__ import annotations

from ...gotext import go_quote
from ...migrate.directives import file_directives
from ...migrate.lint.analyzers import Analyzer, Diagnostic, Pass, Report, Span
from ...schema.changes import AddIndex, DropIndex, ModifyTable
from ..sql_tokens import tokens

NAME = "concurrent_index"

_TX_HINT = ('Indexes cannot be created or deleted concurrently within a transaction. Add the '
            '"atlas:txmode none" directive to the header to prevent this file from running in '
            'a transaction')


class ConcurrentIndex(Analyzer):
    name = NAME
    codes = ("PG101", "PG102", "PG103")
    heading = "concurrent index violations detected"

    def analyze(self, p: Pass) -> list[Report]:
        f = p.file
        no_tx = "none" in file_directives(f.text, "txmode")
        diags: list[Diagnostic] = []
        for sc in f.changes:
            concurrent = _says_concurrently(sc.stmt.text)
            if concurrent and not no_tx:
                diags.append(Diagnostic(sc.stmt.pos, _TX_HINT, "PG102"))
            if concurrent:
                continue
            for schema, c in sc.each():
                if not isinstance(c, ModifyTable):
                    continue
                table = c.new.name
                for mc in c.changes:
                    if (isinstance(mc, AddIndex) and mc.index.origin in (None, "c")
                            and not f.table_span(table, schema) & Span.ADDED):
                        diags.append(Diagnostic(
                            sc.stmt.pos, f"Creating index {go_quote(mc.index.name)} "
                                         f"non-concurrently causes write locks on the "
                                         f"{go_quote(table)} table", "PG101"))
                    elif (isinstance(mc, DropIndex) and mc.index.origin in (None, "c")
                          and not f.index_span(table, mc.index.name, schema) & Span.ADDED):
                        diags.append(Diagnostic(
                            sc.stmt.pos, f"Dropping index {go_quote(mc.index.name)} "
                                         f"non-concurrently causes write locks on the "
                                         f"{go_quote(table)} table", "PG103"))
        return [Report(self.heading, tuple(diags))] if diags else []


def _says_concurrently(sql: str) -> bool:
    """``CREATE [UNIQUE] INDEX CONCURRENTLY`` or ``DROP INDEX CONCURRENTLY`` (comments and
    string literals do not count)."""
    toks = tokens(sql)
    for i, t in enumerate(toks[:-1]):
        if t.kw("INDEX") and toks[i + 1].kw("CONCURRENTLY"):
            return True
    return False


def lint_analyzers(analyzers: list[Analyzer], config) -> list[Analyzer]:
    if config is not None and config.has(NAME):
        return [*analyzers, ConcurrentIndex(dict(config.options(NAME)))]
    return analyzers
