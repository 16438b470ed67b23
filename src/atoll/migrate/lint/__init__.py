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

import importlib

# name → submodule. Loaded on first use: ``atoll.project`` reads ``lint.config`` for every
# command, and the analyzers cost a fleet run's start-up a tenth of a second.
_EXPORTS = {
    **dict.fromkeys(("REGISTRY", "Analyzer", "Change", "Diagnostic", "LintFile", "Pass",
                     "Report", "Stmt", "SuggestedFix", "analyzers_for"), "analyzers"),
    "LintConfig": "config",
    **dict.fromkeys(("FileReport", "LintReport", "StepReport", "lint_data", "lint_json",
                     "render_lint", "template_data"), "report"),
    **dict.fromkeys(("analyze_files", "detect_git", "detect_latest", "lint_dir"), "runner"),
}

__all__ = sorted(_EXPORTS)

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
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


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
