"""``deployment`` blocks: an atoll extension (Atlas keeps its equivalent for paying users)
that orders a fleet run into groups, e.g. a canary shard first, then the rest in parallel::

    deployment "shards" {
      group "canary" {
        match    = ["sharding_1"]       # fnmatch patterns over target names ("sharding_*")
        parallel = 1
        on_error = FAIL                 # FAIL | CONTINUE (bare words or strings)
      }
      group "rest" {
        match    = "sharding_*"
        parallel = 4
        on_error = CONTINUE
        max_failures = 3                # stop the rollout once 3 databases have failed
      }
    }

    env "sharding" {
      for_each   = toset(data.sql.shards.values)
      deployment = deployment.shards
      ...
    }
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from ..errors import SourcePos
from ._diag import LocatedError
from .env import Evaluated
from .functions import type_name

UNMATCHED_GROUP = "unmatched"


@dataclass(frozen=True)
class DeploymentGroup:
    name: str
    match: tuple[str, ...] = ()
    parallel: int | None = None
    on_error: str = "fail"  # "fail" | "continue"
    max_failures: int | None = None  # halt the rollout after this many failed databases
    pos: SourcePos | None = field(default=None, compare=False)

    def matches(self, target: str) -> bool:
        return any(fnmatch.fnmatchcase(target, pattern) for pattern in self.match)


@dataclass(frozen=True)
class Deployment:
    name: str
    groups: tuple[DeploymentGroup, ...] = ()
    pos: SourcePos | None = field(default=None, compare=False)

    def plan(self, target_names: list[str]) -> list[tuple[DeploymentGroup, list[str]]]:
        """Assign each target to the first group that matches it, keeping the targets'
        order inside a group. Targets no group matches form a final implicit group named
        ``unmatched`` (no parallelism limit, stop on error). Groups without targets are left
        out."""
        buckets: dict[int, list[str]] = {}
        rest: list[str] = []
        for target in target_names:
            for i, group in enumerate(self.groups):
                if group.matches(target):
                    buckets.setdefault(i, []).append(target)
                    break
            else:
                rest.append(target)
        plan = [(g, buckets[i]) for i, g in enumerate(self.groups) if i in buckets]
        if rest:
            plan.append((DeploymentGroup(UNMATCHED_GROUP), rest))
        return plan


def decode_deployment(ev: Evaluated) -> Deployment:
    if len(ev.labels) != 1:
        raise LocatedError(f'{ev.pos}: deployment block must have exactly 1 label')
    name = ev.labels[0]
    ctx = f'deployment "{name}"'
    for attr in ev.attrs:
        raise LocatedError(f'{ev.where(attr)}: {ctx}: unexpected attribute "{attr}"')
    groups, seen = [], set()
    for b in ev.blocks:
        if b.type != "group":
            raise LocatedError(f'{b.pos}: {ctx}: unexpected block "{b.type}", expected "group"')
        if len(b.labels) != 1:
            raise LocatedError(f"{b.pos}: {ctx}: group block must have exactly 1 label")
        gname = b.labels[0]
        gctx = f'{ctx}, group "{gname}"'
        if gname in seen:
            raise LocatedError(f'{b.pos}: {gctx}: duplicate group')
        seen.add(gname)
        groups.append(_decode_group(b, gname, gctx))
    return Deployment(name=name, groups=tuple(groups), pos=ev.pos)


def _decode_group(b: Evaluated, name: str, ctx: str) -> DeploymentGroup:
    match: list[str] = []
    parallel: int | None = None
    on_error = None
    max_failures: int | None = None
    for attr, value in b.attrs.items():
        where = b.where(attr)
        if attr in ("match", "pattern"):
            items = [value] if isinstance(value, str) else value
            if isinstance(items, (set, frozenset)):
                items = sorted(items)
            if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
                raise LocatedError(f"{where}: {ctx}: {attr} must be a string or a list of "
                                   f"strings, got {type_name(value)}")
            match.extend(items)
        elif attr == "parallel":
            parallel = _positive_whole(value, f"{where}: {ctx}: parallel")
        elif attr == "max_failures":
            max_failures = _positive_whole(value, f"{where}: {ctx}: max_failures")
        elif attr == "on_error":
            text = str(value).lower() if isinstance(value, str) else None
            if text not in ("fail", "continue"):
                raise LocatedError(f'{where}: {ctx}: on_error must be FAIL or CONTINUE, '
                                   f'got {value!r}')
            on_error = text
        else:
            raise LocatedError(f'{where}: {ctx}: unexpected attribute "{attr}"')
    if not match:
        raise LocatedError(f'{b.pos}: {ctx}: "match" is required')
    if max_failures is not None and on_error == "fail":
        raise LocatedError(f"{b.where('on_error')}: {ctx}: max_failures needs on_error = "
                           "CONTINUE (FAIL already stops at the first failure)")
    if on_error is None:  # going on after a failure is what max_failures is for
        on_error = "continue" if max_failures is not None else "fail"
    return DeploymentGroup(name=name, match=tuple(match), parallel=parallel, on_error=on_error,
                           max_failures=max_failures, pos=b.pos)


def _positive_whole(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or int(value) != value or value < 1:
        raise LocatedError(f"{what} must be a positive whole number, got {value!r}")
    return int(value)
