"""``--partition INDEX/COUNT``: this runner's stable slice of a fleet, so that COUNT runners
(a GitHub Actions matrix, a Kubernetes Indexed Job) each migrate a disjoint part of it.

A target's slice depends only on its *partition key* and COUNT, never on the other targets:
adding or removing a shard moves no other shard, and every runner computes the same slices
without talking to the others. The key is the target's name as the fleet report prints it (the
``for_each`` key, ``env[key]``, the env name, or for a bare ``--url`` the file name / masked
URL); when several same-named env blocks are told apart by position, the env name plus the
masked URL instead. The key is hashed with SHA-256 and its first 8 bytes are mapped onto
``0..COUNT-1`` by jump consistent hashing (Lamping & Veach, 2014), so that going from COUNT to
COUNT+1 runners moves only about 1/(COUNT+1) of the targets.

INDEX counts from 0, like Kubernetes' ``JOB_COMPLETION_INDEX`` and ``strategy.job-index`` in
GitHub Actions: ``0/3``, ``1/3``, ``2/3``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import AtollError
from .runner import Target

_MULTIPLIER = 2862933555777941757
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class Partition:
    index: int  # 0-based
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class FleetSlice:
    """What one runner got: its partition, the targets in it, where each sits in the whole
    fleet (so that merged slices come back in fleet order), and the fleet they were cut from."""

    partition: Partition
    targets: list[Target]
    positions: list[int]
    fleet_size: int
    fleet_digest: str


def parse_partition(text: str, source: str = "--partition") -> Partition:
    """``"1/4"`` → Partition(1, 4). Spaces around either number are fine (values often come
    from environment variables); anything else is a one-line error naming ``source``."""
    raw = str(text)
    index_text, sep, count_text = raw.partition("/")
    index_text, count_text = index_text.strip(), count_text.strip()
    hint = "expected INDEX/COUNT with INDEX counted from 0, e.g. 0/4 … 3/4"
    if not raw.strip():
        raise AtollError(f"{source} is empty (is the environment variable meant to hold it "
                         f"set?); {hint}")
    if not sep:
        raise AtollError(f'{source} "{raw}": {hint}')
    if not index_text or not count_text:
        which = "index" if not index_text else "count"
        raise AtollError(f'{source} "{raw}": the {which} is empty (is the environment variable '
                         f"meant to hold it set?); {hint}")
    if not (index_text.isdigit() and count_text.isdigit()):
        raise AtollError(f'{source} "{raw}": {hint}')
    index, count = int(index_text), int(count_text)
    if count < 1:
        raise AtollError(f'{source} "{raw}": the count must be at least 1')
    if index >= count:
        raise AtollError(f'{source} "{raw}": index {index} is out of range for {count} '
                         f"partition(s); indexes count from 0 (0/{count} … {count - 1}/{count})")
    return Partition(index, count)


def partition_key(target: Target) -> str:
    return target.key or target.name


def slice_of(key: str, count: int) -> int:
    """The partition (0-based) that ``key`` belongs to among ``count``: SHA-256, then jump
    consistent hashing. Pure arithmetic on the key, the same on every machine and version."""
    h = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    bucket, j = -1, 0
    while j < count:
        bucket = j
        h = (h * _MULTIPLIER + 1) & _MASK64
        j = int((bucket + 1) * (float(1 << 31) / float((h >> 33) + 1)))
    return bucket


def fleet_digest(targets: Sequence[Target]) -> str:
    """One hash of the whole fleet's keys (order-independent): slices merged later must all
    have been cut from the same fleet."""
    h = hashlib.sha256()
    for key in sorted(partition_key(t) for t in targets):
        h.update(key.encode("utf-8") + b"\n")
    return "sha256:" + h.hexdigest()


def cut(targets: Sequence[Target], partition: Partition) -> FleetSlice:
    positions = [i for i, t in enumerate(targets)
                 if slice_of(partition_key(t), partition.count) == partition.index]
    return FleetSlice(partition, [targets[i] for i in positions], positions, len(targets),
                      fleet_digest(targets))


def cut_all(targets: Sequence[Target], count: int) -> list[FleetSlice]:
    """All ``count`` slices at once, hashing each target once (what ``cut`` gives for each
    index in turn)."""
    digest = fleet_digest(targets)
    chosen: list[list[int]] = [[] for _ in range(count)]
    for i, t in enumerate(targets):
        chosen[slice_of(partition_key(t), count)].append(i)
    return [FleetSlice(Partition(k, count), [targets[i] for i in positions], positions,
                       len(targets), digest) for k, positions in enumerate(chosen)]


def slice_header(fleet_slice: FleetSlice, command: str, failing: Sequence[str]) -> dict:
    """The ``Partition`` object a sliced ``--format json`` report carries for ``report merge``."""
    return {"Index": fleet_slice.partition.index, "Count": fleet_slice.partition.count,
            "Command": command, "FleetSize": fleet_slice.fleet_size,
            "FleetDigest": fleet_slice.fleet_digest, "Positions": list(fleet_slice.positions),
            "Failing": list(failing)}


def sliced_json(fleet_slice: FleetSlice, command: str, failing: Sequence[str],
                results) -> str:
    """A sliced run's ``--format json`` report: the rows an unsliced run prints (as
    ``Databases``) and the ``Partition`` that ``report merge`` checks the slices with."""
    import json

    from .report import json_rows

    return json.dumps({"Partition": slice_header(fleet_slice, command, failing),
                       "Databases": json_rows(results)}, ensure_ascii=False)


def describe(fleet_slice: FleetSlice) -> str:
    return (f"partition {fleet_slice.partition}: {len(fleet_slice.targets)} of "
            f"{fleet_slice.fleet_size} database(s) of the fleet")
