"""Flyway directories (``?format=flyway``), searched recursively (hidden folders skipped):
``B<version>__<desc>.sql`` baselines (only the newest counts, and hides the versioned files
it includes), ``V<version>__<desc>.sql`` versioned files in version order (``1.1``, ``1_1``,
``2``, ``10``: numeric parts), then ``R__<desc>.sql`` repeatable files. ``U`` (undo) files
are neither run nor hashed. Names in atlas.sum are paths relative to the directory.

Atlas has no repeatable migrations: they get the version of the last versioned file with an
``R`` appended (``3R``; ``0R`` when there is none), as ``migrate import`` numbers them; a
second and later one ``3R2``, ``3R3``… (Atlas gives them all ``3R``, one version twice)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..directory import MigrationFile, read_file
from .plan import Plan, down_body, up_body


def flyway_version(path: str) -> str:
    base = os.path.basename(path)
    if base.startswith("R"):
        return ""
    return base.removesuffix(".sql").split("__", 1)[0][1:]


def flyway_desc(path: str) -> str:
    parts = path.split("__", 1)
    return parts[1].removesuffix(".sql") if len(parts) == 2 else ""


def version_key(version: str) -> list[int]:
    """Flyway's ordering: the version's ``.``/``_`` separated parts as numbers."""
    out = []
    for part in version.replace("_", ".").split("."):
        out.append(int(part) if re.fullmatch(r"[+-]?\d+", part) else 0)
    return out


@dataclass(frozen=True, eq=False)
class FlywayFile(MigrationFile):
    assigned: str = ""  # the version a repeatable file is given

    @property
    def version(self) -> str:
        return self.assigned or flyway_version(self.name)

    @property
    def description(self) -> str:
        return flyway_desc(self.name)


def _walk(root: str, rel: str = ""):
    """Files under ``root`` in Go's ``fs.WalkDir`` order (lexical, depth first), skipping
    hidden folders."""
    here = os.path.join(root, rel) if rel else root
    for name in sorted(os.listdir(here), key=os.fsencode):
        path = f"{rel}/{name}" if rel else name
        if os.path.isdir(os.path.join(root, path)):
            if not name.startswith("."):
                yield from _walk(root, path)
        else:
            yield path


def names(path: str) -> list[str]:
    baseline = ""
    versioned: list[str] = []
    repeatable: list[str] = []
    for p in _walk(path):
        base = os.path.basename(p)
        if not base.endswith(".sql") or len(base) < 4 or base[0] not in "VBR":
            continue
        if base[0] == "B":
            v = version_key(flyway_version(p))
            if baseline and v < version_key(flyway_version(baseline)):
                continue
            baseline = p
        elif base[0] == "V":
            versioned.append(p)
        else:
            repeatable.append(p)
    if baseline:
        bv = version_key(flyway_version(baseline))
        versioned = [p for p in versioned if version_key(flyway_version(p)) > bv]
    versioned.sort(key=lambda p: version_key(flyway_version(p)))
    return ([baseline] if baseline else []) + versioned + repeatable


def read(path: str) -> list[MigrationFile]:
    files: list[MigrationFile] = []
    last, repeated = "0", 0
    for n in names(path):
        f = read_file(path, n)
        if flyway_version(n):
            last = flyway_version(n)
            files.append(FlywayFile(f.name, f.data))
            continue
        repeated += 1
        files.append(FlywayFile(f.name, f.data,
                                assigned=f"{last}R{repeated if repeated > 1 else ''}"))
    return files


def render(plan: Plan) -> list[tuple[str, str]]:
    base = plan.base("__")
    return [(f"V{base}.sql", up_body(plan)), (f"U{base}.sql", down_body(plan))]
