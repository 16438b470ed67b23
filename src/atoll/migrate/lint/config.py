"""The lint policy: the project's ``lint`` block (or nothing) as a plain value.

The project layer decodes ``atlas.hcl`` and hands this module a plain dict, e.g.::

    {"latest": 1, "log": "{{ json . }}", "git": {"base": "master", "dir": "."},
     "destructive": {"error": True}, "naming": {"match": "^[a-z_]+$", "message": "…"}}

Every nested block other than ``git`` (and every unknown attribute) is an *analyzer setting*,
kept as given and offered to the analyzers by name; ``error = true|false`` turns an analyzer's
findings into errors or warnings (Atlas's ``sqlcheck.Options``). A block that appears several
times may come as a list of dicts: the last one wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...errors import AtollError

__all__ = ["LintConfig", "as_bool"]

_KNOWN = ("latest", "log", "review", "git")


def as_bool(value: Any, what: str = "error") -> bool:
    """``true``/``false`` as HCL or a CLI ``--var`` may hand them over."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int):
        return value != 0
    raise AtollError(f"lint: {what}: expected a bool value, got {value!r}")


def _block(value: Any) -> Any:
    """A repeated block (list of dicts) collapses to its last occurrence."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Mapping) for v in value):
        return value[-1]
    return value


@dataclass(frozen=True)
class LintConfig:
    """One merged ``lint`` block. ``settings`` holds the analyzer blocks and unknown
    attributes by name (``{"destructive": {"error": False}}``)."""

    latest: int = 0
    log: str = ""
    review: str = ""
    git_base: str = ""
    git_dir: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> LintConfig:
        if data is None:
            return cls()
        if isinstance(data, LintConfig):
            return data
        data = _block(data)
        if not isinstance(data, Mapping):
            raise AtollError(f"lint: expected a block, got {data!r}")
        git = _block(data.get("git")) or {}
        if not isinstance(git, Mapping):
            raise AtollError(f"lint: git: expected a block, got {git!r}")
        latest = data.get("latest") or 0
        try:
            latest = int(latest)
        except (TypeError, ValueError):
            raise AtollError(f"lint: latest: expected a number, got {latest!r}") from None
        settings = {k: _block(v) for k, v in data.items() if k not in _KNOWN}
        return cls(latest=latest, log=str(data.get("log") or ""),
                   review=str(data.get("review") or ""),
                   git_base=str(git.get("base") or ""), git_dir=str(git.get("dir") or ""),
                   settings=settings)

    def options(self, analyzer: str) -> Mapping[str, Any]:
        """The analyzer's own block (``{}`` when absent or not a block)."""
        value = self.settings.get(analyzer)
        return value if isinstance(value, Mapping) else {}

    def has(self, analyzer: str) -> bool:
        return isinstance(self.settings.get(analyzer), Mapping)

    def is_error(self, analyzer: str, default: bool) -> bool:
        """Whether ``analyzer``'s findings fail the run: its ``error`` attribute, else the
        analyzer's default (``destructive`` is an error by default, the others are not)."""
        opts = self.options(analyzer)
        if "error" in opts and opts["error"] is not None:
            return as_bool(opts["error"], f"{analyzer}.error")
        return default

    def extend(self, base: LintConfig | Mapping[str, Any] | None) -> LintConfig:
        """This (env) block completed from the global ``base`` block, by Atlas's
        ``Lint.Extend`` rules (project.md §2.5): ``review``/``log`` inherited when empty; all
        analyzer settings inherited only if this block has none; ``git.dir``+``git.base`` or a
        non-zero ``latest`` here win, else global git values, else global ``latest``."""
        base = LintConfig.from_dict(base) if not isinstance(base, LintConfig) else base
        review = self.review or base.review
        log = self.log or base.log
        settings = self.settings if self.settings else base.settings
        latest, git_base, git_dir = self.latest, self.git_base, self.git_dir
        if not ((git_dir and git_base) or latest != 0):
            if base.git_dir or base.git_base:
                git_dir = base.git_dir or git_dir
                git_base = base.git_base or git_base
            elif base.latest != 0:
                latest = base.latest
        return LintConfig(latest=latest, log=log, review=review, git_base=git_base,
                          git_dir=git_dir, settings=settings)
