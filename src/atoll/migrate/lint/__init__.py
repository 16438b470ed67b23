"""``migrate lint``: ``runner`` replays new migration files on a dev database, ``analyzers``
report risky changes, ``config`` holds the policy, ``report`` renders Atlas's texts.

Risky changes: destructive, data-dependent, dropped constraints, backward-incompatible
renames, naming policy.

    >>> from atoll.migrate.lint import lint_dir, render_lint
    >>> report = lint_dir("migrations", "sqlite://dev?mode=memory", latest=1)
    >>> print(render_lint(report), end="")   # Atlas's text; report.json() for JSON
    >>> raise SystemExit(report.exit_code)    # 1 when a finding is an error
"""

from __future__ import annotations

from .analyzers import (
    REGISTRY,
    Analyzer,
    Change,
    Diagnostic,
    LintFile,
    Pass,
    Report,
    Stmt,
    SuggestedFix,
    analyzers_for,
)
from .config import LintConfig
from .report import (
    FileReport,
    LintReport,
    StepReport,
    lint_data,
    lint_json,
    render_lint,
    template_data,
)
from .runner import analyze_files, detect_git, detect_latest, lint_dir

__all__ = [
    "REGISTRY",
    "Analyzer",
    "Change",
    "Diagnostic",
    "FileReport",
    "LintConfig",
    "LintFile",
    "LintReport",
    "Pass",
    "Report",
    "StepReport",
    "Stmt",
    "SuggestedFix",
    "analyze_files",
    "analyzers_for",
    "detect_git",
    "detect_latest",
    "lint_data",
    "lint_dir",
    "lint_json",
    "render_lint",
    "template_data",
]
