"""A faster ``__init__`` for frozen dataclasses with several fields.

The ``__init__`` that ``@dataclass(frozen=True)`` writes sets each field with
``object.__setattr__`` (the class forbids plain assignment): eleven calls for a ``Column``.
:func:`fast_init` replaces it with one that has the same signature and defaults and installs
the instance dictionary in a single call, two to four times faster from four fields up;
decoding or inspecting a 1000-table schema builds tens of thousands of these objects. Such an
instance keeps a real dictionary (more memory than the attribute storage Python uses
otherwise), so classes with fewer fields, which gain little, are left alone, as are
non-frozen dataclasses (plain assignment is fast) and classes it cannot treat the same way
(slots, ``__post_init__``, default factories, ``init=False`` or keyword-only fields).
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

T = TypeVar("T", bound=type)

MIN_FIELDS = 4


def fast_init(cls: T) -> T:
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" in cls.__dict__ \
            or hasattr(cls, "__post_init__"):
        return cls
    fields = dataclasses.fields(cls)
    if len(fields) < MIN_FIELDS or any(
            not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING
            for f in fields):
        return cls
    ns: dict[str, object] = {"_set": object.__setattr__}
    args = []
    for f in fields:
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            ns[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
    items = ", ".join(f"{f.name!r}: {f.name}" for f in fields)
    exec(f"def __init__(self, {', '.join(args)}):\n    _set(self, '__dict__', {{{items}}})\n",
         ns)
    init = ns["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    init.__module__ = cls.__module__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    cls.__init__ = init  # type: ignore[misc]
    return cls


def speed_up_module(namespace: dict[str, object]) -> None:
    """Apply :func:`fast_init` to every dataclass defined in a module (call it with
    ``globals()`` at the end of the module)."""
    name = namespace.get("__name__")
    for value in list(namespace.values()):
        if isinstance(value, type) and value.__module__ == name \
                and dataclasses.is_dataclass(value):
            fast_init(value)
