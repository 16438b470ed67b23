"""Turning a command's flags (and the envs ``--env`` selected) into fleet targets: one target
per database, each with the flag values that apply to it."""

from __future__ import annotations

import copy
import os
from collections import ChainMap
from collections.abc import Iterator, Mapping

from ..errors import AtollError
from .runner import Target


def dir_path(dir_url: str) -> str:
    """``file://migrations?format=goose`` → ``migrations``."""
    from ..migrate.formats import split_dir_url

    return split_dir_url(dir_url)[0]


def build_targets(inv, *, url_key: str = "url", keep_envs: bool = True) -> list[Target]:
    """One target per selected env (a ``for_each`` env gives several), or the single target
    the flags name. Each target's ``settings`` are the command's flag values for it.

    ``keep_envs=False``, for commands that need nothing of an env but its flag values: the
    targets do not hold their env, and of several envs only the first stays in ``inv`` (and
    its project), for what applies to the whole command (deployment, dev, run dirs), so a
    fleet of 10,000 shards does not keep 10,000 env objects to its end."""
    from ..cli.options import apply_env

    envs = inv.envs or [None]
    targets = []
    base = dict(inv.values)
    shared = _SharedSettings(base, url_key)
    release = not keep_envs and len(envs) > 1
    project_envs = getattr(inv.project, "envs", None) if release else None
    for i, env in enumerate(envs):
        if release and i:  # each env goes as its target is made
            envs[i] = None
            if project_envs is not None and i < len(project_envs):
                project_envs[i] = None
        one = copy.copy(inv)
        one.values = dict(base)
        if env is not None and len(envs) > 1:
            apply_env(one, env)
            one.values = shared.settings(one.values)
        url = one.get(url_key)
        if not url:
            raise AtollError(f'required flag "{url_key}" not set' +
                             (f' (env "{env.name}")' if env is not None else ""))
        name = getattr(env, "target", None) or (env.name if env is not None else "")
        targets.append(Target(name=name or _name_from_url(url), url=url,
                              settings=one.values, group="", env=env if keep_envs else None))
    if release:
        del envs[1:]
        if project_envs is not None:
            del project_envs[1:]
    names = [t.name for t in targets]
    if len(set(names)) != len(names):  # several same-named envs: tell them apart by URL
        targets = [Target(f"{t.name}[{i}]", t.url, t.settings, key=f"{t.name} {t.display_url}",
                          env=t.env)
                   for i, t in enumerate(targets)]
    partition = inv.get("partition")
    if partition is not None:  # --partition I/N: only this runner's stable slice
        from .partition import cut

        inv.partition = cut(targets, partition)
        return inv.partition.targets
    return targets


class _SharedSettings:
    """Each target's flag values as little memory as possible: what its env changed over
    one shared copy of the flags, and that change shared by every target whose env changed
    the same values. A fleet of 10,000 shards that differ only in their URL keeps one
    mapping of the rest and, per target, the URL."""

    def __init__(self, base: dict, url_key: str):
        self.base, self.url_key = base, url_key
        self._seen: dict[str, Mapping] = {}

    def settings(self, values: dict) -> Mapping:
        base, url_key = self.base, self.url_key
        changed = {k: v for k, v in values.items()
                   if k != url_key and (k not in base or base[k] is not v)}
        key = repr(sorted(changed.items()))
        rest = self._seen.get(key)
        if rest is None or rest.maps[0] != changed:
            rest = ChainMap(changed, base)
            self._seen.setdefault(key, rest)
        url = values.get(url_key)
        if url_key in values and (url_key not in base or base[url_key] is not url):
            return TargetSettings(url_key, url, rest)
        return rest


class TargetSettings(Mapping):
    """One target's flags: its own URL over the flags it shares with other targets."""

    __slots__ = ("_key", "_url", "_rest")

    def __init__(self, key: str, url, rest: Mapping):
        self._key, self._url, self._rest = key, url, rest

    def __getitem__(self, key: str):
        return self._url if key == self._key else self._rest[key]

    def __iter__(self) -> Iterator[str]:
        yield self._key
        yield from (k for k in self._rest if k != self._key)

    def __len__(self) -> int:
        return len(self._rest) + (self._key not in self._rest)

    def __contains__(self, key: object) -> bool:
        return key == self._key or key in self._rest

    def __repr__(self) -> str:
        return f"TargetSettings({dict(self)!r})"


def _name_from_url(url: str) -> str:
    from ..urls import sqlite_body

    body = sqlite_body(url)
    if body is not None:
        path = body.partition("?")[0]
        return os.path.basename(path.removeprefix("file:")) or url
    from ..urls import mask_password

    return mask_password(url)
