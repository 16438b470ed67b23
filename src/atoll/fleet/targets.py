"""Turning a command's flags (and the envs ``--env`` selected) into fleet targets: one target
per database, each with the flag values that apply to it."""

from __future__ import annotations

import copy
import os
from collections import ChainMap

from ..errors import AtollError
from .runner import Target


def dir_path(dir_url: str) -> str:
    """``file://migrations?format=goose`` → ``migrations``."""
    from ..migrate.formats import split_dir_url

    return split_dir_url(dir_url)[0]


def build_targets(inv, *, url_key: str = "url") -> list[Target]:
    """One target per selected env (a ``for_each`` env gives several), or the single target
    the flags name. Each target's ``settings`` are the command's flag values for it."""
    from ..cli.options import apply_env

    envs = inv.envs or [None]
    targets = []
    base = dict(inv.values)
    for env in envs:
        one = copy.copy(inv)
        one.values = dict(base)
        if env is not None and len(envs) > 1:
            apply_env(one, env)
            # Each target keeps only what its env changed, over one shared copy of the
            # flags: a fleet of 10,000 kept 10,000 copies of every flag.
            one.values = ChainMap({k: v for k, v in one.values.items()
                                   if k not in base or base[k] is not v}, base)
        url = one.get(url_key)
        if not url:
            raise AtollError(f'required flag "{url_key}" not set' +
                             (f' (env "{env.name}")' if env is not None else ""))
        name = getattr(env, "target", None) or (env.name if env is not None else "")
        targets.append(Target(name=name or _name_from_url(url), url=url,
                              settings=one.values, group="", env=env))
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


def _name_from_url(url: str) -> str:
    from ..urls import sqlite_body

    body = sqlite_body(url)
    if body is not None:
        path = body.partition("?")[0]
        return os.path.basename(path.removeprefix("file:")) or url
    from ..urls import mask_password

    return mask_password(url)
