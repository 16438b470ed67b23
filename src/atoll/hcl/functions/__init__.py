"""The standard HCL functions Atlas offers (go-cty's stdlib, Atlas's URL helpers, ``sql``):
one module per family, each registering into ``registry.STANDARD_FUNCTIONS``.

Every function takes evaluated Python values (see :mod:`atoll.hcl.values`) and raises
:class:`~atoll.hcl.values.FunctionError` for bad input, which the evaluator reports in HCL
wording (``Invalid function argument; Invalid value for "str" parameter: string required.``).
``try`` and ``can`` are declared ``lazy``: their arguments arrive unevaluated, as callables.

Project-specific functions (``getenv``, ``file``, ``fileset``, ``glob``) depend on the config
file's directory and live with the project code; pass them to ``Scope(functions=...)``.
"""

from __future__ import annotations

# Importing each family registers its functions.
from . import collection, encoding, misc, numeric, strings  # noqa: F401
from .collection import make_set
from .registry import STANDARD_FUNCTIONS, hcl_function
from .strings import format_string

__all__ = ["STANDARD_FUNCTIONS", "format_string", "hcl_function", "make_set"]
