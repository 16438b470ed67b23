"""schema/fast_init.py: the one-call __init__ of frozen model dataclasses behaves like the one
@dataclass writes (signature, defaults, equality, hash, replace, pickling, immutability)."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from atoll.schema import model
from atoll.schema.fast_init import fast_init


@dataclasses.dataclass(frozen=True)
class _Plain:
    a: str
    b: int = 1
    c: tuple = ()
    d: str | None = dataclasses.field(default=None, compare=False)


@fast_init
@dataclasses.dataclass(frozen=True)
class _Fast:
    a: str
    b: int = 1
    c: tuple = ()
    d: str | None = dataclasses.field(default=None, compare=False)


def test_same_signature_and_values():
    assert str(inspect.signature(_Fast)) == str(inspect.signature(_Plain))
    assert _Fast.__init__.__qualname__ == "_Fast.__init__"
    for args, kwargs in [(("x",), {}), (("x", 2), {"d": "q"}), ((), {"a": "y", "c": (1,)})]:
        fast, plain = _Fast(*args, **kwargs), _Plain(*args, **kwargs)
        assert dataclasses.astuple(fast) == dataclasses.astuple(plain)
        assert hash(fast) == hash(plain)
    assert _Fast("x", d="1") == _Fast("x", d="2")  # compare=False is kept
    with pytest.raises(TypeError):
        _Fast()  # the required field stays required


def test_model_objects_stay_frozen_dataclasses():
    ct = model.ColumnType(model.TypeClass.STRING, "text")
    col = model.Column("c", ct, null=True)
    assert model.Column.__init__.__qualname__ == "Column.__init__"
    assert col == model.Column(name="c", type=ct, null=True) and hash(col) == hash(
        model.Column("c", ct, True))
    assert dataclasses.replace(col, null=False).null is False
    assert pickle.loads(pickle.dumps(col)) == col
    with pytest.raises(dataclasses.FrozenInstanceError):
        col.name = "d"  # type: ignore[misc]


def test_small_and_unusual_classes_are_left_alone():
    # fast_init's __init__ calls its "_set"; dataclass's own does not
    assert "_set" not in model.Literal.__init__.__code__.co_names
    assert "_set" in model.Column.__init__.__code__.co_names

    @dataclasses.dataclass(frozen=True)
    class WithFactory:
        a: int
        b: int
        c: int
        d: list = dataclasses.field(default_factory=list)

    original = WithFactory.__init__
    assert fast_init(WithFactory).__init__ is original
