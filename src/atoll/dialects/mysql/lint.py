"""MySQL's part of ``migrate lint``: ``nontransactional`` (NT101) warns about a file whose DDL
cannot be rolled back. MySQL commits every DDL statement implicitly, so when a later statement
of the same file fails, what ran before it stays applied: the file is left half-applied and the
next ``migrate apply`` resumes at the failing statement (after the file is fixed)."""

from __future__ import annotations

import re

from ...migrate.lint.analyzers import Analyzer, Diagnostic, Pass, Report

_DDL = re.compile(r"\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\b", re.IGNORECASE)


def lint_analyzers(analyzers: list[Analyzer]) -> list[Analyzer]:
    return analyzers + [NonTransactional()]


class NonTransactional(Analyzer):
    name = "nontransactional"
    codes = ("NT101",)
    heading = "non-transactional DDL detected"

    def analyze(self, p: Pass) -> list[Report]:
        stmts = [c.stmt for c in p.file.changes if c.stmt.text]
        for i, s in enumerate(stmts[:-1]):
            if _DDL.match(s.text):
                rest = len(stmts) - i - 1
                return [Report(self.heading, (Diagnostic(
                    s.pos, f"Statement {i + 1} of {len(stmts)} is DDL and commits implicitly: "
                           f"if one of the {rest} statement(s) after it fails, the file stays "
                           f"half-applied (MySQL cannot roll DDL back)", "NT101"),))]
        return []
