"""The ``migrate lint`` report: its data (Atlas's ``migratelint.SummaryReport``), the default
text byte for byte as Atlas's template prints it, and the JSON ``{{ json . }}`` prints.

Nothing here runs SQL or prints; :func:`render_lint` returns the text (``""`` when there is
nothing to report) and :func:`lint_json` the JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...gotext import go_json
from ..report import GoTime, go_duration, go_sub, go_url_json
from .analyzers import LintFile, Report, SuggestedFix

__all__ = [
    "STEP_ANALYZE",
    "STEP_DETECT",
    "STEP_INTEGRITY",
    "STEP_LOAD",
    "FileReport",
    "LintReport",
    "StepReport",
    "lint_data",
    "lint_json",
    "max_width",
    "render_lint",
    "template_data",
]

STEP_INTEGRITY = "Migration Integrity Check"
STEP_DETECT = "Detect New Migration Files"
STEP_LOAD = "Replay Migration Files"
STEP_ANALYZE = "Analyze %s"

LINK = "https://atlasgo.io/lint/analyzers#"


@dataclass
class FileReport:
    """One analyzed file (``file`` set), or a replay/checksum error (``file`` is ``None``)."""

    name: str
    text: str = ""
    reports: list[Report] = field(default_factory=list)
    error: str = ""
    file: LintFile | None = None
    start: GoTime | None = None
    end: GoTime | None = None

    @property
    def version(self) -> str:
        return self.file.version if self.file is not None else ""

    def line(self, pos: int) -> int:
        """1 + the newlines before byte offset ``pos`` of the file."""
        return self.text.encode("utf-8", "surrogateescape")[:pos].count(b"\n") + 1

    @property
    def suggested_fixes(self) -> list[SuggestedFix]:
        fixes: list[SuggestedFix] = []
        for r in self.reports:
            fixes.extend(x for x in r.suggested_fixes if x.message)
            for d in r.diagnostics:
                fixes.extend(x for x in d.suggested_fixes if x.message)
        return fixes

    @property
    def changes_count(self) -> int:
        if self.file is None:
            return 0
        return sum(len(c.changes) for c in self.file.changes)

    def to_json(self) -> dict:
        out: dict[str, Any] = {}
        if self.name:
            out["Name"] = self.name
        if self.text:
            out["Text"] = self.text
        if self.reports:
            out["Reports"] = [r.to_json() for r in self.reports]
        if self.error:
            out["Error"] = self.error
        return out


@dataclass
class StepReport:
    name: str
    text: str
    error: str = ""
    result: FileReport | None = None

    def to_json(self) -> dict:
        out: dict[str, Any] = {}
        if self.name:
            out["Name"] = self.name
        if self.text:
            out["Text"] = self.text
        if self.error:
            out["Error"] = self.error
        if self.result is not None:
            out["Result"] = self.result.to_json()
        return out


@dataclass
class LintReport:
    """The whole run. ``failed`` tells the CLI to exit 1 (nothing more is printed then)."""

    driver: str = ""
    dev_url: str = ""
    dir: str = ""
    schema_current: str = ""
    schema_desired: str = ""
    steps: list[StepReport] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)
    start: GoTime = field(default_factory=GoTime.now)
    end: GoTime | None = None
    from_version: str = ""
    to_version: str = ""
    total_files: int = 0

    # -- what the run found ----------------------------------------------------------------------

    @property
    def failed(self) -> bool:
        """Any file error (analyzer set to error, replay or checksum error), or a step error
        carried with a result — Atlas then exits 1 without printing an ``Error:`` line."""
        if any(f.error for f in self.files):
            return True
        return any(s.result is not None and s.error for s in self.steps)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    @property
    def diagnostics_count(self) -> int:
        return sum(len(r.diagnostics) for f in self.files for r in f.reports)

    @property
    def total_changes(self) -> int:
        return sum(f.changes_count for f in self.files)

    @property
    def version_statuses(self) -> str:
        ok = warns = errs = 0
        for f in self.files:
            if f.error:
                errs += 1
            elif f.reports:
                warns += 1
            else:
                ok += 1
        parts: list[str] = []
        for n, label in ((ok, "ok"), (warns, "with warnings"), (errs, "with errors")):
            if n == 0:
                continue
            if not parts:
                parts.append(f"{n} version{'s' if n > 1 else ''} {label}")
            else:
                parts.append(f"{n} {label}")
        return ", ".join(parts)

    def step_result(self, name: str, text: str, result: FileReport | None = None) -> None:
        if result is not None:
            result.end = GoTime.now()
        self.steps.append(StepReport(name, text, result=result))

    def step_error(self, name: str, text: str, error: str) -> None:
        self.steps.append(StepReport(name, text, error=error))

    def text(self, color: bool = False) -> str:
        return render_lint(self, color)

    def json(self) -> str:
        return lint_json(self)


# ---------------------------------------------------------------------------------------------
# default text


def _paint(code: str, text: str, color: bool, reset: str = "0") -> str:
    """fatih/color's wrapping: one reset code per attribute (underline resets with 24)."""
    return f"\x1b[{code}m{text}\x1b[{reset}m" if color else text


def _go_len(s: str) -> int:
    return len(s.encode("utf-8", "surrogateescape"))


def max_width(s: str, n: int) -> list[str]:
    """The template's ``maxWidth``: words are added to a line while the sum of their byte
    lengths (spaces not counted) stays within ``n``."""
    words = s.split()
    lines: list[str] = []
    j = k = 0
    for i, w in enumerate(words):
        if k + _go_len(w) > n:
            lines.append(" ".join(words[j:i]))
            k, j = 0, i
        k += _go_len(w)
    lines.append(" ".join(words[j:]))
    return lines


def _wrapped(prefix: str, text: str, cont: str) -> str:
    out = prefix
    for i, line in enumerate(max_width(text, 85 - _go_len(prefix))):
        out += (cont if i else "") + line + "\n"
    return out


def render_lint(r: LintReport, color: bool = False) -> str:
    """The report as Atlas's default ``migrate lint`` template prints it."""
    if not r.files:
        return ""
    cyan = lambda t: _paint("36", t, color)
    yellow = lambda t: _paint("33", t, color)
    out: list[str] = []
    total = r.total_files or len(r.files)
    if r.from_version and r.to_version:
        out.append(f"Analyzing changes from version {cyan(r.from_version)} to "
                   f"{cyan(r.to_version)}")
    elif r.to_version:
        out.append(f"Analyzing changes until version {cyan(r.to_version)}")
    else:
        out.append("Analyzing changes")
    out.append(f" ({total} migration{'' if total == 1 else 's'} in total):\n" if total else ":\n")
    out.append("\n")
    for i, f in enumerate(r.files):
        if f.error and f.file is None and i == len(r.files) - 1:
            out.append(f"  {_paint('97;101', 'Error: ' + f.error, color, '0;0')}\n\n")
            break
        out.append(f"{yellow('  --')} analyzing version {cyan(f.version)}\n")
        if f.error and not f.reports:
            # Atlas's template passes one argument too many here (sic).
            out.append(f"Error: {f.name}\n%!(EXTRA string={f.error})")
            continue
        for rep in f.reports:
            if rep.text:
                out.append(f"    {yellow('--')} {rep.text}:\n")
            elif rep.diagnostics:
                out.append(f"    {yellow('--')} Unnamed diagnostics detected:\n")
            for d in rep.diagnostics:
                prefix = f"      {cyan('--')} L{f.line(d.pos)}: "
                link = _paint("4;90", LINK + d.code, color, "24;0") if d.code else ""
                out.append(_wrapped(prefix, f"{d.text} {link}", "         "))
        if not f.reports:
            out.append(f"    {cyan('--')} no diagnostics found\n")
        fixes = f.suggested_fixes
        if fixes:
            out.append(f"    {yellow('--')} suggested fix{'' if len(fixes) == 1 else 'es'}:\n")
            for x in fixes:
                out.append(_wrapped(f"      {cyan('->')} ", x.message, "         "))
        if not f.error or f.reports:
            out.append(f"  {yellow('--')} ok ({yellow(go_duration(go_sub(f.end, f.start)))})\n")
        out.append("\n")
    out.append(cyan("  -------------------------") + "\n")
    out.append(f"  {yellow('--')} {go_duration(go_sub(r.end, r.start))}\n")
    if r.version_statuses:
        out.append(f"  {yellow('--')} {r.version_statuses}\n")
    if r.total_changes:
        n = r.total_changes
        out.append(f"  {yellow('--')} {n} schema change{'' if n == 1 else 's'}\n")
    if r.diagnostics_count:
        n = r.diagnostics_count
        out.append(f"  {yellow('--')} {n} diagnostic{'' if n == 1 else 's'}\n")
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# JSON


def lint_data(r: LintReport) -> dict:
    """The report as Go's ``encoding/json`` sees it (keys in struct order, empty ones left
    out), for ``{{ json . }}`` and for template engines."""
    out: dict[str, Any] = {}
    env: dict[str, Any] = {}
    if r.driver:
        env["Driver"] = r.driver
    if r.dev_url:
        env["URL"] = go_url_json(r.dev_url)
    if r.dir:
        env["Dir"] = r.dir
    out["Env"] = env
    schema: dict[str, str] = {}
    if r.schema_current:
        schema["Current"] = r.schema_current
    if r.schema_desired:
        schema["Desired"] = r.schema_desired
    out["Schema"] = schema
    if r.steps:
        out["Steps"] = [s.to_json() for s in r.steps]
    if r.files:
        out["Files"] = [f.to_json() for f in r.files]
    return out


def lint_json(r: LintReport) -> str:
    return go_json(lint_data(r))


def template_data(r: LintReport) -> dict:
    """The fields a ``--format`` template can reach, with Atlas's names: the JSON fields plus
    ``FromV``, ``ToV``, ``TotalFiles``, ``DiagnosticsCount``, ``TotalChanges``,
    ``VersionStatuses``, and per file ``Version`` (e.g. ``{{ range .Files }}{{ .Name }}``)."""
    data = lint_data(r)
    data.setdefault("Steps", [])
    data["Files"] = []
    for f in r.files:
        item = {"Name": f.name, "Text": f.text, "Reports": [x.to_json() for x in f.reports],
                "Error": f.error, "Version": f.version,
                "SuggestedFixes": [x.to_json() for x in f.suggested_fixes]}
        data["Files"].append(item)
    data.update({"URL": "", "FromV": r.from_version, "ToV": r.to_version,
                 "TotalFiles": r.total_files, "DiagnosticsCount": r.diagnostics_count,
                 "TotalChanges": r.total_changes, "VersionStatuses": r.version_statuses})
    return data
