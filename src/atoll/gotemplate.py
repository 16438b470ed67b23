"""Go ``text/template`` for ``--format``/``log`` templates, with Go's semantics and messages.

``parse(text, funcs)`` returns a :class:`Template`; ``Template.execute(data)`` renders it.
Data is plain Python: a field ``.Name`` reads a dict key (``Name``, then ``name``), an object
attribute (``Name``, then the snake_case ``name``), or calls a method (with the action's
arguments).  ``None`` is Go's nil.  Printing follows Go's ``fmt`` (``[a b]``, ``map[k:v]``,
``<nil>``, ``1e+06``); ``print``/``printf``/``println`` are also available as :func:`sprint`,
:func:`sprintf` and :func:`sprintln`.

Supported: text and actions with ``{{-``/``-}}`` trim markers, comments, pipelines, fields,
chains ``(x).F``, variables (``:=``, ``=``, ``$``), ``if``/``else if``/``else``, ``range``
(lists, dicts in key order, ints) with ``else``/``break``/``continue``, ``with``/``else with``,
``define``/``template``/``block``, every literal kind, and the builtins ``and or not len
index slice print printf println eq ne lt le gt ge html js urlquery call``.  Not supported:
custom delimiters, ``Option("missingkey=…")``, channels and iterator functions.  Strings are
measured, indexed and sliced as UTF-8 bytes, as in Go.  Dicts act as Go structs: a missing key
is an error (``can't evaluate field X in type …``), not ``<no value>``; ``None`` always prints
as ``<nil>``.  A class may name its Go type for messages and ``%T`` with ``__gotype__``.
"""

from __future__ import annotations

import math
import re
import types
from bisect import bisect_left
from collections.abc import Callable, Mapping
from typing import Any

from atoll.errors import AtollError

__all__ = ["Template", "TemplateError", "parse", "sprint", "sprintf", "sprintln"]


class TemplateError(AtollError):
    """A template that does not parse (``template: NAME:LINE: …``) or does not execute
    (``template: NAME:LINE:COL: executing "NAME" at <…>: …``)."""


# ---------------------------------------------------------------------------------------------
# Go value helpers: quoting, type names
# ---------------------------------------------------------------------------------------------

_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\v": "\\v"}


def _quote(s: str, quote: str = '"', ascii_only: bool = False) -> str:
    """strconv.Quote (QuoteToASCII with ascii_only, QuoteRune with quote="'")."""
    out = [quote]
    for ch in s:
        c = ord(ch)
        if ch == quote or ch == "\\":
            out.append("\\" + ch)
        elif (c < 0x80 or not ascii_only) and ch.isprintable() and not 0xD800 <= c < 0xE000:
            out.append(ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif c < 0x20 or c == 0x7F:
            out.append(f"\\x{c:02x}")
        elif 0xD800 <= c < 0xE000:
            out.append("\\ufffd")
        elif c < 0x10000:
            out.append(f"\\u{c:04x}")
        else:
            out.append(f"\\U{c:08x}")
    out.append(quote)
    return "".join(out)


def _can_backquote(s: str) -> bool:
    return all(ch == "\t" or (ch != "`" and ch != "\ufeff" and ch.isprintable()) for ch in s)


def _rune_name(ch: str) -> str:
    """fmt's %#U: U+0021 '!'."""
    c = ord(ch)
    return f"U+{c:04X} '{ch}'" if ch.isprintable() else f"U+{c:04X}"


def _is_dataclass(v: Any) -> bool:
    return hasattr(type(v), "__dataclass_fields__") and not isinstance(v, type)


def _has_str(v: Any) -> bool:
    """A Go Stringer/error: an exception, or a class with its own __str__."""
    return isinstance(v, BaseException) or type(v).__str__ is not object.__str__


_FUNC_TYPES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType)


def _go_type(v: Any) -> str:
    """The Go type a Python value stands for, as fmt's %T and the error messages spell it."""
    if v is None:
        return "<nil>"
    name = getattr(type(v), "__gotype__", None)
    if isinstance(name, str):
        return name
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, complex):
        return "complex128"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (bytes, bytearray)):
        return "[]uint8"
    if isinstance(v, (list, tuple, set, frozenset)):
        return "[]interface {}"
    if isinstance(v, Mapping):
        if all(isinstance(k, str) for k in v):
            return "map[string]interface {}"
        return "map[interface {}]interface {}"
    if isinstance(v, _FUNC_TYPES):
        return "func"
    return type(v).__name__


def _sort_key(k: Any) -> tuple:
    if k is None:
        return (0, 0)
    if isinstance(k, bool):
        return (1, k)
    if isinstance(k, (int, float)):
        return (2, k)
    if isinstance(k, str):
        return (3, k)
    return (4, str(k))


def _sorted_items(m: Mapping) -> list[tuple[Any, Any]]:
    """Map entries in fmtsort's order (numbers by value, strings lexically)."""
    try:
        keys = sorted(m, key=_sort_key)
    except TypeError:
        keys = sorted(m, key=lambda k: (_sort_key(k)[0], str(k)))
    return [(k, m[k]) for k in keys]


# ---------------------------------------------------------------------------------------------
# fmt: Sprint, Sprintln, Sprintf
# ---------------------------------------------------------------------------------------------


def _shortest(a: float) -> tuple[str, int]:
    """Shortest decimal digits of a finite a >= 0 and the decimal point position:
    a == 0.DIGITS × 10**dp.  Zero is ("", 0)."""
    if a == 0:
        return "", 0
    mant, _, e = repr(a).partition("e")
    ip, _, fp = mant.partition(".")
    digits = ip + fp
    stripped = digits.lstrip("0")
    dp = len(ip) - (len(digits) - len(stripped)) + (int(e) if e else 0)
    return stripped.rstrip("0"), dp


def _fmt_e(digits: str, dp: int, prec: int, ch: str) -> str:
    s = digits[0] if digits else "0"
    if prec > 0:
        rest = digits[1:1 + prec]
        s += "." + rest + "0" * (prec - len(rest))
    exp = dp - 1 if digits else 0
    return f"{s}{ch}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fmt_f(digits: str, dp: int, prec: int) -> str:
    s = (digits[:dp] + "0" * max(0, dp - len(digits))) if dp > 0 else "0"
    if prec > 0:
        s += "." + "".join(digits[dp + i] if 0 <= dp + i < len(digits) else "0"
                           for i in range(prec))
    return s


def _format_float(v: float, verb: str, prec: int) -> str:
    """strconv.FormatFloat(v, verb, prec, 64)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    neg = math.copysign(1.0, v) < 0
    a = abs(v)
    if verb == "b":
        if a == 0:
            s = "0p-1074"
        else:
            m, e = math.frexp(a)
            s = f"{int(m * (1 << 53))}p{e - 53:+d}"
    elif verb in "xX":
        if a == 0:
            s = "0x0p+00"
        else:
            m, e = math.frexp(a)
            frac = f"{int(m * (1 << 53)) & ((1 << 52) - 1):013x}".rstrip("0")
            exp = e - 1
            s = f"0x1{'.' + frac if frac else ''}p{'-' if exp < 0 else '+'}{abs(exp):02d}"
        if verb == "X":
            s = s.upper()
    elif prec < 0:
        digits, dp = _shortest(a)
        nd = len(digits)
        if verb in "eE":
            s = _fmt_e(digits, dp, max(nd - 1, 0), verb)
        elif verb in "fF":
            s = _fmt_f(digits, dp, max(nd - dp, 0))
        else:  # g, G: shortest form, %e when the exponent is < -4 or >= 6
            exp = dp - 1
            if exp < -4 or exp >= 6:
                s = _fmt_e(digits, dp, nd - 1, "e" if verb == "g" else "E")
            else:
                s = _fmt_f(digits, dp, max(nd - dp, 0))
    else:
        s = format(a, f".{prec}{verb}")
    return ("-" if neg else "") + s


class _Printer:
    """fmt's pp and fmt structs: flags, and the printing of one argument."""

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.erroring = False
        self.reordered = False
        self.good_arg_num = True
        self.clear_flags()

    def clear_flags(self) -> None:
        self.wid = 0
        self.wid_present = False
        self.prec = 0
        self.prec_present = False
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False

    def text(self) -> str:
        return "".join(self.buf)

    # -- padding ---------------------------------------------------------------------------

    def pad(self, s: str) -> None:
        if not self.wid_present or self.wid == 0:
            self.buf.append(s)
            return
        width = self.wid - len(s)
        if width <= 0:
            self.buf.append(s)
        elif not self.minus:
            self.buf.append(("0" if self.zero else " ") * width + s)
        else:
            self.buf.append(s + " " * width)

    def truncate(self, s: str) -> str:
        if self.prec_present and self.prec < len(s):
            return s[:self.prec]
        return s

    # -- one argument ----------------------------------------------------------------------

    def print_arg(self, arg: Any, verb: str, depth: int = 0) -> None:
        if arg is None:
            if depth > 0:
                self.buf.append("interface {}(nil)" if self.sharp_v else "<nil>")
            elif verb in ("T", "v"):
                self.pad("<nil>")
            else:
                self.bad_verb(verb, None)
            return
        if verb == "T" and depth == 0:
            self.fmt_s(_go_type(arg))
            return
        if isinstance(arg, bool):
            self.fmt_bool(arg, verb)
        elif isinstance(arg, int):
            self.fmt_integer(arg, verb)
        elif isinstance(arg, float):
            self.fmt_float(arg, verb)
        elif isinstance(arg, complex):
            self.fmt_complex(arg, verb)
        elif isinstance(arg, str):
            self.fmt_string(arg, verb)
        elif isinstance(arg, (bytes, bytearray)):
            self.fmt_bytes(bytes(arg), verb, depth)
        elif isinstance(arg, Mapping):
            self.print_map(arg, verb, depth)
        elif isinstance(arg, (list, tuple)):
            self.print_list(arg, verb, depth)
        elif isinstance(arg, (set, frozenset)):
            self.print_list([k for k, _ in _sorted_items(dict.fromkeys(arg))], verb, depth)
        elif isinstance(arg, _FUNC_TYPES):
            if verb in ("v", "p"):
                self.pad(hex(id(arg)))
            else:
                self.bad_verb(verb, arg)
        elif _has_str(arg) and not self.erroring and not self.sharp_v:
            if verb in ("v", "s", "x", "X", "q"):
                try:
                    text = str(arg)
                except Exception as exc:  # noqa: BLE001 - fmt reports a panicking String()
                    self.buf.append(f"%!{verb}(PANIC=String method: {exc})")
                    return
                self.fmt_string(text, verb)
            elif _is_dataclass(arg):
                self.print_struct(arg, verb, depth)
            else:
                self.bad_verb(verb, arg)
        elif _is_dataclass(arg):
            self.print_struct(arg, verb, depth)
        elif verb in ("v", "s", "q", "x", "X"):
            self.fmt_string(str(arg), verb)
        else:
            self.bad_verb(verb, arg)

    def bad_verb(self, verb: str, arg: Any) -> None:
        self.erroring = True
        self.buf.append(f"%!{verb}(")
        if arg is None:
            self.buf.append("<nil>")
        else:
            self.buf.append(_go_type(arg) + "=")
            self.print_arg(arg, "v")
        self.buf.append(")")
        self.erroring = False

    # -- composites ------------------------------------------------------------------------

    def print_list(self, items: Any, verb: str, depth: int) -> None:
        if self.sharp_v:
            self.buf.append(_go_type(list(items)) + "{")
            sep = ", "
        else:
            self.buf.append("[")
            sep = " "
        for i, item in enumerate(items):
            if i:
                self.buf.append(sep)
            self.print_arg(item, verb, depth + 1)
        self.buf.append("}" if self.sharp_v else "]")

    def print_map(self, m: Mapping, verb: str, depth: int) -> None:
        if self.sharp_v:
            self.buf.append(_go_type(m) + "{")
            sep = ", "
        else:
            self.buf.append("map[")
            sep = " "
        for i, (k, v) in enumerate(_sorted_items(m)):
            if i:
                self.buf.append(sep)
            self.print_arg(k, verb, depth + 1)
            self.buf.append(":")
            self.print_arg(v, verb, depth + 1)
        self.buf.append("}" if self.sharp_v else "]")

    def print_struct(self, obj: Any, verb: str, depth: int) -> None:
        import dataclasses

        if self.sharp_v:
            self.buf.append(_go_type(obj))
        self.buf.append("{")
        for i, f in enumerate(dataclasses.fields(obj)):
            if i:
                self.buf.append(", " if self.sharp_v else " ")
            if self.plus_v or self.sharp_v:
                self.buf.append(f.name + ":")
            self.print_arg(getattr(obj, f.name), verb, depth + 1)
        self.buf.append("}")

    # -- primitives ------------------------------------------------------------------------

    def fmt_bool(self, v: bool, verb: str) -> None:
        if verb in ("t", "v"):
            self.pad("true" if v else "false")
        else:
            self.bad_verb(verb, v)

    def fmt_integer(self, v: int, verb: str) -> None:
        if verb in ("v", "d"):
            self.fmt_int(v, 10, verb)
        elif verb == "b":
            self.fmt_int(v, 2, verb)
        elif verb in ("o", "O"):
            self.fmt_int(v, 8, verb)
        elif verb in ("x", "X"):
            self.fmt_int(v, 16, verb)
        elif verb == "c":
            self.pad(chr(v) if 0 <= v <= 0x10FFFF else "\ufffd")
        elif verb == "q":
            ch = chr(v) if 0 <= v <= 0x10FFFF and not 0xD800 <= v < 0xE000 else "\ufffd"
            self.pad(_quote(ch, "'", ascii_only=self.plus))
        elif verb == "U":
            s = f"U+{v:04X}" if v >= 0 else f"U+-{-v:04X}"
            if self.prec_present and self.prec > 4:
                s = f"U+{v:0{self.prec}X}"
            if self.sharp and 0 <= v <= 0x10FFFF and chr(v).isprintable():
                s += f" '{chr(v)}'"
            old, self.zero = self.zero, False
            self.pad(s)
            self.zero = old
        else:
            self.bad_verb(verb, v)

    def fmt_int(self, v: int, base: int, verb: str) -> None:
        negative = v < 0
        u = -v if negative else v
        prec = 0
        if self.prec_present:
            prec = self.prec
            if prec == 0 and u == 0:
                old, self.zero = self.zero, False
                self.pad("")
                self.zero = old
                return
        elif self.zero and not self.minus and self.wid_present:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1
        spec = {2: "b", 8: "o", 10: "d", 16: "X" if verb == "X" else "x"}[base]
        digits = format(u, spec)
        if len(digits) < prec:
            digits = "0" * (prec - len(digits)) + digits
        if self.sharp:
            if base == 2:
                digits = "0b" + digits
            elif base == 8 and not digits.startswith("0"):
                digits = "0" + digits
            elif base == 16:
                digits = ("0X" if verb == "X" else "0x") + digits
        if verb == "O":
            digits = "0o" + digits
        sign = "-" if negative else "+" if self.plus else " " if self.space else ""
        old, self.zero = self.zero, False
        self.pad(sign + digits)
        self.zero = old

    def fmt_float(self, v: float, verb: str) -> None:
        if verb == "v":
            self.fmt_float_verb(v, "g", -1)
        elif verb in ("b", "g", "G", "x", "X"):
            self.fmt_float_verb(v, verb, -1)
        elif verb in ("f", "e", "E", "F"):
            self.fmt_float_verb(v, verb, 6)
        else:
            self.bad_verb(verb, v)

    def fmt_float_verb(self, v: float, verb: str, prec: int) -> None:
        if self.prec_present:
            prec = self.prec
        num = _format_float(v, verb, prec)
        if num[0] not in "+-":
            num = "+" + num
        if self.space and num[0] == "+" and not self.plus:
            num = " " + num[1:]
        if num[1] in "IN":
            if num[1] == "N" and not self.space and not self.plus:
                num = num[1:]
            old, self.zero = self.zero, False
            self.pad(num)
            self.zero = old
            return
        if self.plus or num[0] != "+":
            if self.zero and not self.minus and self.wid_present and self.wid > len(num):
                self.buf.append(num[0] + "0" * (self.wid - len(num)) + num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    def fmt_complex(self, v: complex, verb: str) -> None:
        if verb not in ("v", "b", "g", "G", "x", "X", "f", "F", "e", "E"):
            self.bad_verb(verb, v)
            return
        old = self.plus
        self.buf.append("(")
        self.fmt_float(v.real, verb)
        self.plus = True
        self.fmt_float(v.imag, verb)
        self.buf.append("i)")
        self.plus = old

    def fmt_string(self, s: str, verb: str) -> None:
        if verb == "v":
            if self.sharp_v:
                self.fmt_q(s)
            else:
                self.fmt_s(s)
        elif verb == "s":
            self.fmt_s(s)
        elif verb in ("x", "X"):
            self.fmt_sx(s.encode(), verb)
        elif verb == "q":
            self.fmt_q(s)
        else:
            self.bad_verb(verb, s)

    def fmt_s(self, s: str) -> None:
        self.pad(self.truncate(s))

    def fmt_q(self, s: str) -> None:
        s = self.truncate(s)
        if self.sharp and _can_backquote(s):
            self.pad("`" + s + "`")
        else:
            self.pad(_quote(s, ascii_only=self.plus))

    def fmt_sx(self, b: bytes, verb: str) -> None:
        if self.prec_present and self.prec < len(b):
            b = b[:self.prec]
        prefix = "0X" if verb == "X" else "0x"
        parts = [format(c, "02X" if verb == "X" else "02x") for c in b]
        if not parts:
            self.pad("")
            return
        if self.space:
            s = " ".join((prefix if self.sharp else "") + p for p in parts)
        else:
            s = (prefix if self.sharp else "") + "".join(parts)
        self.pad(s)

    def fmt_bytes(self, b: bytes, verb: str, depth: int) -> None:
        if verb == "s":
            self.fmt_s(b.decode("utf-8", "replace"))
        elif verb in ("x", "X"):
            self.fmt_sx(b, verb)
        elif verb == "q":
            self.fmt_q(b.decode("utf-8", "replace"))
        elif self.sharp_v:
            self.buf.append("[]byte{" + ", ".join(f"{c:#x}" for c in b) + "}")
        else:
            self.buf.append("[")
            for i, c in enumerate(b):
                if i:
                    self.buf.append(" ")
                self.fmt_integer(c, verb)
            self.buf.append("]")

    # -- Printf ----------------------------------------------------------------------------

    def arg_number(self, arg_num: int, fmt: str, i: int, num_args: int) -> tuple[int, int, bool]:
        if i >= len(fmt) or fmt[i] != "[":
            return arg_num, i, False
        self.reordered = True
        # parseArgNumber
        index, wid, ok = 0, 1, False
        if len(fmt) - i >= 3:
            close = fmt.find("]", i + 1)
            if close >= 0:
                num, okn, newi = _parsenum(fmt, i + 1, close)
                if okn and newi == close:
                    index, wid, ok = num - 1, close - i + 1, True
                else:
                    index, wid, ok = 0, close - i + 1, False
        if ok and 0 <= index < num_args:
            return index, i + wid, True
        self.good_arg_num = False
        return arg_num, i + wid, ok

    def do_printf(self, fmt: str, args: tuple | list) -> None:
        end = len(fmt)
        arg_num = 0
        after_index = False
        self.reordered = False
        i = 0
        while i < end:
            self.good_arg_num = True
            j = fmt.find("%", i)
            if j < 0:
                j = end
            if j > i:
                self.buf.append(fmt[i:j])
            i = j
            if i >= end:
                break
            i += 1
            self.clear_flags()
            simple = False
            while i < end:
                c = fmt[i]
                if c == "#":
                    self.sharp = True
                elif c == "0":
                    self.zero = not self.minus
                elif c == "+":
                    self.plus = True
                elif c == "-":
                    self.minus = True
                    self.zero = False
                elif c == " ":
                    self.space = True
                else:
                    if "a" <= c <= "z" and arg_num < len(args):
                        if c == "v":
                            self.sharp_v, self.sharp = self.sharp, False
                            self.plus_v, self.plus = self.plus, False
                        self.print_arg(args[arg_num], c)
                        arg_num += 1
                        i += 1
                        simple = True
                    break
                i += 1
            if simple:
                continue

            arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(args))
            if i < end and fmt[i] == "*":
                i += 1
                self.wid, self.wid_present, arg_num = _int_from_arg(args, arg_num)
                if not self.wid_present:
                    self.buf.append("%!(BADWIDTH)")
                if self.wid < 0:
                    self.wid = -self.wid
                    self.minus = True
                    self.zero = False
                after_index = False
            else:
                self.wid, self.wid_present, i = _parsenum(fmt, i, end)
                if after_index and self.wid_present:
                    self.good_arg_num = False

            if i + 1 < end and fmt[i] == ".":
                i += 1
                if after_index:
                    self.good_arg_num = False
                arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(args))
                if i < end and fmt[i] == "*":
                    i += 1
                    self.prec, self.prec_present, arg_num = _int_from_arg(args, arg_num)
                    if self.prec < 0:
                        self.prec = 0
                        self.prec_present = False
                    if not self.prec_present:
                        self.buf.append("%!(BADPREC)")
                    after_index = False
                else:
                    self.prec, self.prec_present, i = _parsenum(fmt, i, end)
                    if not self.prec_present:
                        self.prec = 0
                        self.prec_present = True

            if not after_index:
                arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(args))

            if i >= end:
                self.buf.append("%!(NOVERB)")
                break
            verb = fmt[i]
            i += 1
            if verb == "%":
                self.buf.append("%")
            elif not self.good_arg_num:
                self.buf.append(f"%!{verb}(BADINDEX)")
            elif arg_num >= len(args):
                self.buf.append(f"%!{verb}(MISSING)")
            else:
                if verb == "v":
                    self.sharp_v, self.sharp = self.sharp, False
                    self.plus_v, self.plus = self.plus, False
                self.print_arg(args[arg_num], verb)
                arg_num += 1

        if not self.reordered and arg_num < len(args):
            self.clear_flags()
            self.buf.append("%!(EXTRA ")
            for k, arg in enumerate(args[arg_num:]):
                if k:
                    self.buf.append(", ")
                if arg is None:
                    self.buf.append("<nil>")
                else:
                    self.buf.append(_go_type(arg) + "=")
                    self.print_arg(arg, "v")
            self.buf.append(")")


def _parsenum(s: str, start: int, end: int) -> tuple[int, bool, int]:
    if start >= end:
        return 0, False, end
    num, isnum, i = 0, False, start
    while i < end and "0" <= s[i] <= "9":
        num = num * 10 + ord(s[i]) - 48
        if num > 1_000_000:
            return 0, False, end
        isnum = True
        i += 1
    return num, isnum, i


def _int_from_arg(args: tuple | list, arg_num: int) -> tuple[int, bool, int]:
    num, is_int, new = 0, False, arg_num
    if arg_num < len(args):
        v = args[arg_num]
        if isinstance(v, int) and not isinstance(v, bool):
            num, is_int = v, True
        new = arg_num + 1
        if abs(num) > 1_000_000:
            num, is_int = 0, False
    return num, is_int, new


def sprint(*args: Any) -> str:
    """fmt.Sprint: operands in their %v form, a space between two operands when neither is
    a string."""
    p = _Printer()
    prev_string = False
    for n, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if n > 0 and not is_string and not prev_string:
            p.buf.append(" ")
        p.print_arg(arg, "v")
        prev_string = is_string
    return p.text()


def sprintln(*args: Any) -> str:
    """fmt.Sprintln: operands in their %v form separated by spaces, then a newline."""
    p = _Printer()
    for n, arg in enumerate(args):
        if n:
            p.buf.append(" ")
        p.print_arg(arg, "v")
    p.buf.append("\n")
    return p.text()


def sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf, with Go's verbs, flags, widths, precisions, [n] indexes and its
    %!verb(type=value), %!v(MISSING) and %!(EXTRA …) complaints."""
    p = _Printer()
    p.do_printf(fmt, args)
    return p.text()


# ---------------------------------------------------------------------------------------------
# Lexer
# ---------------------------------------------------------------------------------------------

ERROR, BOOL, CHAR, CHARCONST, COMPLEX, ASSIGN, DECLARE, EOF, FIELD, IDENT, LDELIM, LPAREN, \
    NUMBER, PIPE, RAW, RDELIM, RPAREN, SPACE, STRING, TEXT, VAR = (
        "error", "bool", "char", "charconst", "complex", "=", ":=", "EOF", "field", "ident",
        "{{", "(", "number", "|", "raw", "}}", ")", "space", "string", "text", "variable")
# Keywords are their own item types; "." and "nil" are keywords too (Go prints them <.>, <nil>).
_KEYWORDS = frozenset({"block", "break", "continue", "define", "else", "end", "if", "range",
                       "nil", "template", "with"})
DOT = "."
_KEYWORD_TYPES = _KEYWORDS | {DOT}
_SPACE_CHARS = " \t\r\n"


class _Item:
    __slots__ = ("line", "pos", "typ", "val")

    def __init__(self, typ: str, val: str, pos: int, line: int):
        self.typ, self.val, self.pos, self.line = typ, val, pos, line

    def __str__(self) -> str:
        if self.typ == EOF:
            return "EOF"
        if self.typ == ERROR:
            return self.val
        if self.typ in _KEYWORD_TYPES:
            return f"<{self.val}>"
        if len(self.val.encode()) > 10:
            return _quote(self.val[:10]) + "..."
        return _quote(self.val)


def _is_alnum(c: str) -> bool:
    return c == "_" or c.isalpha() or c.isdecimal()


class _Lexer:
    def __init__(self, text: str):
        self.input = text
        self.pos = 0
        self.start = 0
        self.paren_depth = 0
        self.items: list[_Item] = []
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line_at(self, pos: int) -> int:
        return 1 + bisect_left(self.newlines, pos)

    def run(self) -> list[_Item]:
        state: Callable | None = self.lex_text
        while state is not None:
            state = state()
        return self.items

    # -- helpers ---------------------------------------------------------------------------

    def peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else ""

    def emit(self, typ: str) -> Callable:
        self.items.append(_Item(typ, self.input[self.start:self.pos], self.start,
                                self.line_at(self.start)))
        self.start = self.pos
        return self.lex_inside

    def errorf(self, msg: str) -> None:
        self.items.append(_Item(ERROR, msg, self.start, self.line_at(self.start)))

    def at_right_delim(self) -> tuple[bool, bool]:
        s, p = self.input, self.pos
        if p + 1 < len(s) and s[p] in _SPACE_CHARS and s[p + 1] == "-" and s.startswith("}}", p + 2):
            return True, True
        if s.startswith("}}", p):
            return True, False
        return False, False

    def has_left_trim(self, p: int) -> bool:
        s = self.input
        return p + 1 < len(s) and s[p] == "-" and s[p + 1] in _SPACE_CHARS

    def left_trim_length(self, p: int) -> int:
        n = p
        while n < len(self.input) and self.input[n] in _SPACE_CHARS:
            n += 1
        return n - p

    def at_terminator(self) -> bool:
        r = self.peek()
        if r == "" or r in _SPACE_CHARS or r in ".,|:()":
            return True
        return self.input.startswith("}}", self.pos)

    # -- states ----------------------------------------------------------------------------

    def lex_text(self) -> Callable | None:
        x = self.input.find("{{", self.pos)
        if x >= 0:
            if x > self.pos:
                trim = 0
                if self.has_left_trim(x + 2):
                    chunk = self.input[self.start:x]
                    trim = len(chunk) - len(chunk.rstrip(_SPACE_CHARS))
                if x - trim > self.start:
                    self.pos = x - trim
                    self.emit(TEXT)
                self.pos = self.start = x
            return self.lex_left_delim
        self.pos = len(self.input)
        if self.pos > self.start:
            self.emit(TEXT)
        self.emit(EOF)
        return None

    def lex_left_delim(self) -> Callable | None:
        self.pos += 2
        trim = self.has_left_trim(self.pos)
        after = 2 if trim else 0
        if self.input.startswith("/*", self.pos + after):
            self.pos += after
            self.start = self.pos
            return self.lex_comment
        self.emit(LDELIM)
        self.pos += after
        self.start = self.pos
        self.paren_depth = 0
        return self.lex_inside

    def lex_comment(self) -> Callable | None:
        self.pos += 2
        x = self.input.find("*/", self.pos)
        if x < 0:
            return self.errorf("unclosed comment")
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.errorf("comment ends before closing delimiter")
        if trim:
            self.pos += 2
        self.pos += 2
        if trim:
            self.pos += self.left_trim_length(self.pos)
        self.start = self.pos
        return self.lex_text

    def lex_right_delim(self) -> Callable | None:
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.start = self.pos
        self.pos += 2
        self.emit(RDELIM)
        if trim:
            self.pos += self.left_trim_length(self.pos)
            self.start = self.pos
        return self.lex_text

    def lex_inside(self) -> Callable | None:
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            return self.errorf("unclosed left paren")
        if self.pos >= len(self.input):
            return self.errorf("unclosed action")
        r = self.input[self.pos]
        self.pos += 1
        if r in _SPACE_CHARS:
            self.pos -= 1
            return self.lex_space
        if r == "=":
            return self.emit(ASSIGN)
        if r == ":":
            if self.peek() != "=":
                return self.errorf("expected :=")
            self.pos += 1
            return self.emit(DECLARE)
        if r == "|":
            return self.emit(PIPE)
        if r == '"':
            return self.lex_quote
        if r == "`":
            return self.lex_raw_quote
        if r == "$":
            return self.lex_variable
        if r == "'":
            return self.lex_char
        if r == "." and self.pos < len(self.input) and not "0" <= self.input[self.pos] <= "9":
            return self.lex_field
        if r in ".+-" or "0" <= r <= "9":
            self.pos -= 1
            return self.lex_number
        if _is_alnum(r):
            self.pos -= 1
            return self.lex_identifier
        if r == "(":
            self.paren_depth += 1
            return self.emit(LPAREN)
        if r == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.errorf("unexpected right paren")
            return self.emit(RPAREN)
        if r < "\x7f" and r.isprintable():
            return self.emit(CHAR)
        return self.errorf(f"unrecognized character in action: {_rune_name(r)}")

    def lex_space(self) -> Callable | None:
        n = 0
        while self.peek() != "" and self.peek() in _SPACE_CHARS:
            self.pos += 1
            n += 1
        # " -}}": the last space belongs to the trim marker.
        if self.peek() == "-" and self.input.startswith("}}", self.pos + 1):
            self.pos -= 1
            if n == 1:
                return self.lex_inside
        return self.emit(SPACE)

    def lex_identifier(self) -> Callable | None:
        while self.peek() != "" and _is_alnum(self.peek()):
            self.pos += 1
        word = self.input[self.start:self.pos]
        if not self.at_terminator():
            return self.errorf(f"bad character {_rune_name(self.peek())}")
        if word in _KEYWORDS:
            return self.emit(word)
        if word in ("true", "false"):
            return self.emit(BOOL)
        return self.emit(IDENT)

    def lex_field(self) -> Callable | None:
        return self.lex_field_or_variable(FIELD)

    def lex_variable(self) -> Callable | None:
        if self.at_terminator():
            return self.emit(VAR)
        return self.lex_field_or_variable(VAR)

    def lex_field_or_variable(self, typ: str) -> Callable | None:
        if self.at_terminator():
            return self.emit(VAR if typ == VAR else DOT)
        while self.peek() != "" and _is_alnum(self.peek()):
            self.pos += 1
        if not self.at_terminator():
            return self.errorf(f"bad character {_rune_name(self.peek())}")
        return self.emit(typ)

    def accept(self, valid: str) -> bool:
        if self.peek() != "" and self.peek() in valid:
            self.pos += 1
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.accept(valid):
            pass

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if self.peek() != "" and _is_alnum(self.peek()):
            self.pos += 1
            return False
        return True

    def lex_number(self) -> Callable | None:
        if not self.scan_number():
            return self.errorf(f"bad number syntax: {_quote(self.input[self.start:self.pos])}")
        if self.peek() in ("+", "-"):
            if not self.scan_number() or self.input[self.pos - 1] != "i":
                return self.errorf(f"bad number syntax: {_quote(self.input[self.start:self.pos])}")
            return self.emit(COMPLEX)
        return self.emit(NUMBER)

    def lex_quoted(self, quote: str, typ: str, what: str) -> Callable | None:
        while True:
            r = self.peek()
            self.pos += 1
            if r == "\\":
                r = self.peek()
                self.pos += 1
                if r not in ("", "\n"):
                    continue
            if r in ("", "\n"):
                self.pos = min(self.pos, len(self.input))
                return self.errorf(f"unterminated {what}")
            if r == quote:
                return self.emit(typ)

    def lex_quote(self) -> Callable | None:
        return self.lex_quoted('"', STRING, "quoted string")

    def lex_char(self) -> Callable | None:
        return self.lex_quoted("'", CHARCONST, "character constant")

    def lex_raw_quote(self) -> Callable | None:
        x = self.input.find("`", self.pos)
        if x < 0:
            self.pos = len(self.input)
            return self.errorf("unterminated raw quoted string")
        self.pos = x + 1
        return self.emit(RAW)


# ---------------------------------------------------------------------------------------------
# Literals
# ---------------------------------------------------------------------------------------------

_SIMPLE_ESC = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}
_HEX = "0123456789abcdefABCDEF"


class _SyntaxErr(Exception):
    pass


def _unquote(q: str) -> str:
    """strconv.Unquote for "…", `…` and '…' (a char literal gives its one character)."""
    if len(q) < 2 or q[0] != q[-1]:
        raise _SyntaxErr
    quote, body = q[0], q[1:-1]
    if quote == "`":
        if "`" in body:
            raise _SyntaxErr
        return body.replace("\r", "")
    if quote not in "\"'":
        raise _SyntaxErr
    out = bytearray()
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == quote or c == "\n":
            raise _SyntaxErr
        if c != "\\":
            out += c.encode("utf-8", "surrogatepass")
            i += 1
            continue
        i += 1
        if i >= n:
            raise _SyntaxErr
        e = body[i]
        i += 1
        if e in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[e])
        elif e == quote:
            out += e.encode()
        elif e in "01234567":
            oct_digits = body[i - 1:i + 2]
            if len(oct_digits) < 3 or any(d not in "01234567" for d in oct_digits):
                raise _SyntaxErr
            v = int(oct_digits, 8)
            if v > 255:
                raise _SyntaxErr
            i += 2
            out += chr(v).encode() if quote == "'" else bytes([v])
        elif e in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[e]
            hexd = body[i:i + size]
            if len(hexd) < size or any(d not in _HEX for d in hexd):
                raise _SyntaxErr
            i += size
            v = int(hexd, 16)
            if e == "x":
                out += chr(v).encode() if quote == "'" else bytes([v])
            else:
                if v > 0x10FFFF or 0xD800 <= v < 0xE000:
                    raise _SyntaxErr
                out += chr(v).encode()
        else:
            raise _SyntaxErr
    s = out.decode("utf-8", "replace")
    if quote == "'" and len(s) != 1:
        raise _SyntaxErr
    return s


def _number_value(text: str, typ: str) -> Any:
    """The value of a number literal where no type is known (exec's idealConstant)."""
    if typ == CHARCONST:
        return ord(_unquote(text))
    t = text.replace("_", "")
    if typ == COMPLEX:
        return complex(t.replace("i", "j"))
    if t.endswith("i"):
        return complex(0, float(t[:-1]))
    body = t.lstrip("+-")
    neg = t.startswith("-")
    if body[:2] in ("0x", "0X"):
        if any(c in body for c in ".pP"):
            v: Any = float.fromhex(body)
        else:
            v = int(body, 16)
    elif body[:2] in ("0o", "0O", "0b", "0B"):
        v = int(body, 0)
    elif any(c in body for c in ".eE"):
        v = float(body)
    elif len(body) > 1 and body[0] == "0":
        v = int(body, 8) if all(c in "01234567" for c in body) else int(body, 10)
    else:
        v = int(body, 10)
    return -v if neg else v


# ---------------------------------------------------------------------------------------------
# Parse tree
# ---------------------------------------------------------------------------------------------


class _Node:
    __slots__ = ("pos",)


class _Text(_Node):
    __slots__ = ("text",)

    def __init__(self, pos: int, text: str):
        self.pos, self.text = pos, text

    def __str__(self) -> str:
        return self.text


class _List(_Node):
    __slots__ = ("nodes",)

    def __init__(self, pos: int):
        self.pos, self.nodes = pos, []

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


class _Pipe(_Node):
    __slots__ = ("cmds", "decl", "is_assign", "line")

    def __init__(self, pos: int, line: int):
        self.pos, self.line, self.is_assign = pos, line, False
        self.decl: list[_Variable] = []
        self.cmds: list[_Command] = []

    def __str__(self) -> str:
        s = ""
        if self.decl:
            s = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return s + " | ".join(str(c) for c in self.cmds)


class _Command(_Node):
    __slots__ = ("args",)

    def __init__(self, pos: int):
        self.pos, self.args = pos, []

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, _Pipe) else str(a) for a in self.args)


class _Action(_Node):
    __slots__ = ("line", "pipe")

    def __init__(self, pos: int, line: int, pipe: _Pipe):
        self.pos, self.line, self.pipe = pos, line, pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


class _Field(_Node):
    __slots__ = ("ident",)

    def __init__(self, pos: int, ident: list[str]):
        self.pos, self.ident = pos, ident

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


class _Variable(_Node):
    __slots__ = ("ident",)

    def __init__(self, pos: int, ident: list[str]):
        self.pos, self.ident = pos, ident

    def __str__(self) -> str:
        return ".".join(self.ident)


class _Chain(_Node):
    __slots__ = ("fields", "node")

    def __init__(self, pos: int, node: _Node):
        self.pos, self.node, self.fields = pos, node, []

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, _Pipe) else str(self.node)
        return head + "".join("." + f for f in self.fields)


class _Identifier(_Node):
    __slots__ = ("name",)

    def __init__(self, pos: int, name: str):
        self.pos, self.name = pos, name

    def __str__(self) -> str:
        return self.name


class _Dot(_Node):
    __slots__ = ()

    def __init__(self, pos: int):
        self.pos = pos

    def __str__(self) -> str:
        return "."


class _Nil(_Node):
    __slots__ = ()

    def __init__(self, pos: int):
        self.pos = pos

    def __str__(self) -> str:
        return "nil"


class _Literal(_Node):
    """bool, number and string literals: the text as written and the value."""

    __slots__ = ("text", "value")

    def __init__(self, pos: int, text: str, value: Any):
        self.pos, self.text, self.value = pos, text, value

    def __str__(self) -> str:
        return self.text


class _Branch(_Node):
    __slots__ = ("else_list", "kind", "line", "list", "pipe")

    def __init__(self, kind: str, pipe: _Pipe, lst: _List, else_list: _List | None):
        self.kind, self.pos, self.line = kind, pipe.pos, pipe.line
        self.pipe, self.list, self.else_list = pipe, lst, else_list

    def __str__(self) -> str:
        s = f"{{{{{self.kind} {self.pipe}}}}}{self.list}"
        if self.else_list is not None:
            s += f"{{{{else}}}}{self.else_list}"
        return s + "{{end}}"


class _Keyword(_Node):
    """{{break}}, {{continue}}, and the parser-only {{end}} and {{else}}."""

    __slots__ = ("line", "word")

    def __init__(self, word: str, pos: int, line: int = 0):
        self.word, self.pos, self.line = word, pos, line

    def __str__(self) -> str:
        return "{{" + self.word + "}}"


class _TemplateCall(_Node):
    __slots__ = ("line", "name", "pipe")

    def __init__(self, pos: int, line: int, name: str, pipe: _Pipe | None):
        self.pos, self.line, self.name, self.pipe = pos, line, name, pipe

    def __str__(self) -> str:
        if self.pipe is None:
            return "{{template " + _quote(self.name) + "}}"
        return "{{template " + _quote(self.name) + " " + str(self.pipe) + "}}"


def _is_empty_tree(n: _Node) -> bool:
    if isinstance(n, _List):
        return all(_is_empty_tree(x) for x in n.nodes)
    if isinstance(n, _Text):
        return n.text.strip(" \t\r\n\v\f") == ""
    return False


# ---------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------

_OPERAND_START = frozenset({BOOL, CHARCONST, COMPLEX, DOT, FIELD, IDENT, NUMBER, "nil", RAW,
                            STRING, VAR, LPAREN})


class _Parser:
    def __init__(self, name: str, text: str, funcs: Mapping[str, Any]):
        self.name = name
        self.funcs = funcs
        self.items = _Lexer(text).run()
        self.i = 0
        self.hi = 0
        self.vars = ["$"]
        self.range_depth = 0
        self.action_line = 0
        self.trees: dict[str, _List] = {}

    # -- tokens ----------------------------------------------------------------------------

    def next(self) -> _Item:
        k = min(self.i, len(self.items) - 1)
        self.i += 1
        self.hi = max(self.hi, k)
        return self.items[k]

    def backup(self) -> None:
        self.i -= 1

    def peek(self) -> _Item:
        it = self.next()
        self.backup()
        return it

    def next_non_space(self) -> _Item:
        while True:
            it = self.next()
            if it.typ != SPACE:
                return it

    def peek_non_space(self) -> _Item:
        it = self.next_non_space()
        self.backup()
        return it

    def errorf(self, msg: str) -> None:
        line = self.items[self.hi].line
        raise TemplateError(f"template: {self.name}:{line}: {msg}")

    def unexpected(self, tok: _Item, context: str) -> None:
        if tok.typ == ERROR:
            extra = ""
            if self.action_line and self.action_line != tok.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action"):]
            self.errorf(f"{tok}{extra}")
        self.errorf(f"unexpected {tok} in {context}")

    def expect(self, typ: str, context: str) -> _Item:
        tok = self.next_non_space()
        if tok.typ != typ:
            self.unexpected(tok, context)
        return tok

    # -- structure -------------------------------------------------------------------------

    def parse(self) -> dict[str, _List]:
        root = _List(self.peek().pos)
        while self.peek().typ != EOF:
            if self.peek().typ == LDELIM:
                save = self.i
                self.next()
                if self.next_non_space().typ == "define":
                    self.parse_definition()
                    continue
                self.i = save
            n = self.text_or_action()
            if isinstance(n, _Keyword) and n.word in ("end", "else"):
                self.errorf(f"unexpected {n}")
            root.nodes.append(n)
        self.add_tree(self.name, root)
        return self.trees

    def add_tree(self, name: str, root: _List) -> None:
        old = self.trees.get(name)
        if old is None or _is_empty_tree(old):
            self.trees[name] = root
        elif not _is_empty_tree(root):
            self.errorf(f"template: multiple definition of template {_quote(name)}")

    def sub_tree(self, name: str, context: str) -> None:
        """The body of a define or block, up to its {{end}}, as a template of its own."""
        saved = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        root, end = self.item_list()
        if not (isinstance(end, _Keyword) and end.word == "end"):
            self.errorf(f"unexpected {end} in {context}")
        self.add_tree(name, root)
        self.vars, self.range_depth = saved

    def parse_definition(self) -> None:
        context = "define clause"
        tok = self.next_non_space()
        if tok.typ not in (STRING, RAW):
            self.unexpected(tok, context)
        name = self.unquote(tok.val)
        self.expect(RDELIM, context)
        self.sub_tree(name, context)

    def item_list(self) -> tuple[_List, _Node]:
        lst = _List(self.peek_non_space().pos)
        while self.peek_non_space().typ != EOF:
            n = self.text_or_action()
            if isinstance(n, _Keyword) and n.word in ("end", "else"):
                return lst, n
            lst.nodes.append(n)
        self.errorf("unexpected EOF")
        raise AssertionError  # not reached

    def text_or_action(self) -> _Node:
        tok = self.next_non_space()
        if tok.typ == TEXT:
            return _Text(tok.pos, tok.val)
        if tok.typ == LDELIM:
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(tok, "input")
        raise AssertionError  # not reached

    def action(self) -> _Node:
        tok = self.next_non_space()
        typ = tok.typ
        if typ == "block":
            return self.block_control()
        if typ in ("break", "continue"):
            return self.loop_control(tok)
        if typ == "else":
            return self.else_control()
        if typ == "end":
            return _Keyword("end", self.expect(RDELIM, "end").pos)
        if typ in ("if", "range", "with"):
            return self.control(typ)
        if typ == "template":
            return self.template_control()
        self.backup()
        tok = self.peek()
        return _Action(tok.pos, tok.line, self.pipeline("command", RDELIM))

    def loop_control(self, tok: _Item) -> _Node:
        end = self.next_non_space()
        if end.typ != RDELIM:
            self.unexpected(end, "{{" + tok.typ + "}}")
        if self.range_depth == 0:
            self.errorf("{{" + tok.typ + "}} outside {{range}}")
        return _Keyword(tok.typ, tok.pos, tok.line)

    def else_control(self) -> _Node:
        peek = self.peek_non_space()
        if peek.typ in ("if", "with"):
            return _Keyword("else", peek.pos, peek.line)
        tok = self.expect(RDELIM, "else")
        return _Keyword("else", tok.pos, tok.line)

    def control(self, context: str) -> _Node:
        nvars = len(self.vars)
        try:
            pipe = self.pipeline(context, RDELIM)
            if context == "range":
                self.range_depth += 1
            lst, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list = None
            if isinstance(nxt, _Keyword) and nxt.word == "else":
                if context in ("if", "with") and self.peek().typ == context:
                    # {{else if …}} is {{else}}{{if …}}…{{end}}{{end}}, sharing the {{end}}.
                    self.next()
                    else_list = _List(nxt.pos)
                    else_list.nodes.append(self.control(context))
                else:
                    else_list, nxt = self.item_list()
                    if not (isinstance(nxt, _Keyword) and nxt.word == "end"):
                        self.errorf(f"expected end; found {nxt}")
            return _Branch(context, pipe, lst, else_list)
        finally:
            del self.vars[nvars:]

    def template_name(self, tok: _Item, context: str) -> str:
        if tok.typ not in (STRING, RAW):
            self.unexpected(tok, context)
        return self.unquote(tok.val)

    def template_control(self) -> _Node:
        context = "template clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe = None
        if self.next_non_space().typ != RDELIM:
            self.backup()
            pipe = self.pipeline(context, RDELIM)
        return _TemplateCall(tok.pos, tok.line, name, pipe)

    def block_control(self) -> _Node:
        context = "block clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe = self.pipeline(context, RDELIM)
        self.sub_tree(name, context)
        return _TemplateCall(tok.pos, tok.line, name, pipe)

    # -- pipelines -------------------------------------------------------------------------

    def pipeline(self, context: str, end: str) -> _Pipe:
        tok = self.peek_non_space()
        pipe = _Pipe(tok.pos, tok.line)
        while True:  # declarations
            v = self.peek_non_space()
            if v.typ != VAR:
                break
            vidx = self.i
            self.next()
            nxt = self.peek_non_space()
            if nxt.typ in (ASSIGN, DECLARE):
                pipe.is_assign = nxt.typ == ASSIGN
                self.next_non_space()
                pipe.decl.append(_Variable(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                break
            if nxt.typ == CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(_Variable(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (VAR, RDELIM, RPAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            self.i = vidx
            break
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if tok.typ in _OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(tok, context)

    def check_pipeline(self, pipe: _Pipe, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:]):
            first = c.args[0]
            if isinstance(first, (_Literal, _Dot, _Nil)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> _Command:
        cmd = _Command(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.next()
            if tok.typ == SPACE:
                continue
            if tok.typ in (RDELIM, RPAREN):
                self.backup()
            elif tok.typ != PIPE:
                self.unexpected(tok, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> _Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == FIELD:
            chain = _Chain(self.peek().pos, node)
            while self.peek().typ == FIELD:
                chain.fields.append(self.next().val[1:])
            if isinstance(node, _Field):
                return _Field(chain.pos, node.ident + chain.fields)
            if isinstance(node, _Variable):
                return _Variable(chain.pos, node.ident + chain.fields)
            if isinstance(node, (_Literal, _Nil, _Dot)):
                self.errorf(f"unexpected . after term {_quote(str(node))}")
            return chain
        return node

    def term(self) -> _Node | None:
        tok = self.next_non_space()
        typ = tok.typ
        if typ == IDENT:
            if tok.val not in self.funcs and tok.val not in _BUILTINS:
                self.errorf(f"function {_quote(tok.val)} not defined")
            return _Identifier(tok.pos, tok.val)
        if typ == DOT:
            return _Dot(tok.pos)
        if typ == "nil":
            return _Nil(tok.pos)
        if typ == VAR:
            if tok.val not in self.vars:
                self.errorf(f"undefined variable {_quote(tok.val)}")
            return _Variable(tok.pos, [tok.val])
        if typ == FIELD:
            return _Field(tok.pos, tok.val[1:].split("."))
        if typ == BOOL:
            return _Literal(tok.pos, tok.val, tok.val == "true")
        if typ in (CHARCONST, COMPLEX, NUMBER):
            try:
                value = _number_value(tok.val, typ)
            except (ValueError, OverflowError, _SyntaxErr):
                self.errorf(f"illegal number syntax: {_quote(tok.val)}")
            return _Literal(tok.pos, tok.val, value)
        if typ == LPAREN:
            return self.pipeline("parenthesized pipeline", RPAREN)
        if typ in (STRING, RAW):
            return _Literal(tok.pos, tok.val, self.unquote(tok.val))
        self.backup()
        return None

    def unquote(self, text: str) -> str:
        try:
            return _unquote(text)
        except _SyntaxErr:
            self.errorf("invalid syntax")
            raise AssertionError from None  # not reached


# ---------------------------------------------------------------------------------------------
# Builtin functions
# ---------------------------------------------------------------------------------------------


class _FuncError(Exception):
    """An error a builtin returns; execution reports it as ``error calling NAME: …``."""


def _truth(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, (bool, int, float, complex)):
        return v != 0
    if isinstance(v, (str, bytes, bytearray, list, tuple, Mapping, set, frozenset)):
        return len(v) > 0
    if _is_dataclass(v) or isinstance(v, _FUNC_TYPES):
        return True
    if hasattr(type(v), "__len__"):
        try:
            return len(v) > 0
        except TypeError:
            return True
    return True


def _not(v: Any) -> bool:
    return not _truth(v)


def _len(v: Any) -> int:
    if v is None:
        raise _FuncError("len of nil pointer")
    if isinstance(v, str):
        return len(v.encode())
    if isinstance(v, (bytes, bytearray, list, tuple, Mapping, set, frozenset)):
        return len(v)
    if not isinstance(v, (bool, int, float, complex)) and hasattr(type(v), "__len__"):
        return len(v)
    raise _FuncError(f"len of type {_go_type(v)}")


def _index_arg(index: Any, cap: int) -> int:
    if index is None:
        raise _FuncError("cannot index slice/array with nil")
    if isinstance(index, bool) or not isinstance(index, int):
        raise _FuncError(f"cannot index slice/array with type {_go_type(index)}")
    if index < 0 or index > cap:
        raise _FuncError(f"index out of range: {index}")
    return index


def _index(item: Any, *indexes: Any) -> Any:
    if item is None:
        raise _FuncError("index of untyped nil")
    for index in indexes:
        if item is None:
            raise _FuncError("index of nil pointer")
        if isinstance(item, (str, bytes, bytearray, list, tuple)):
            seq = item.encode() if isinstance(item, str) else item
            x = _index_arg(index, len(seq))
            if x == len(seq):
                raise _FuncError(f"index out of range: {x}")
            item = seq[x]
        elif isinstance(item, Mapping):
            try:
                item = item.get(index)
            except TypeError:
                raise _FuncError(f"value has type {_go_type(index)}; should be string") from None
        else:
            raise _FuncError(f"can't index item of type {_go_type(item)}")
    return item


def _slice(item: Any, *indexes: Any) -> Any:
    if item is None:
        raise _FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise _FuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise _FuncError("cannot 3-index slice a string")
        seq: Any = item.encode()
    elif isinstance(item, (list, tuple, bytes, bytearray)):
        seq = item
    else:
        raise _FuncError(f"can't slice item of type {_go_type(item)}")
    idx = [0, len(seq), len(seq)]
    for i, index in enumerate(indexes):
        idx[i] = _index_arg(index, len(seq))
    if idx[0] > idx[1]:
        raise _FuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise _FuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    out = seq[idx[0]:idx[1]]
    return out.decode("utf-8", "replace") if isinstance(item, str) else out


def _basic_kind(v: Any) -> str | None:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, complex):
        return "complex"
    if isinstance(v, str):
        return "string"
    return None


def _incompatible(a: Any, b: Any) -> _FuncError:
    return _FuncError(f"incompatible types for comparison: {_go_type(a)} and {_go_type(b)}")


def _eq(arg1: Any, *args: Any) -> bool:
    if not args:
        raise _FuncError("missing argument for comparison")
    k1 = _basic_kind(arg1)
    for arg in args:
        k2 = _basic_kind(arg)
        if k1 != k2:
            if arg1 is not None and arg is not None:
                raise _incompatible(arg1, arg)
            truth = False
        else:
            truth = bool(arg1 == arg)
        if truth:
            return True
    return False


def _ne(a: Any, b: Any) -> bool:
    return not _eq(a, b)


def _lt(a: Any, b: Any) -> bool:
    k1 = _basic_kind(a)
    k2 = _basic_kind(b)
    if k1 is None or k2 is None:
        raise _FuncError("invalid type for comparison")
    if k1 != k2:
        raise _incompatible(a, b)
    if k1 in ("bool", "complex"):
        raise _FuncError("invalid type for comparison")
    return a < b


def _le(a: Any, b: Any) -> bool:
    return _lt(a, b) or _eq(a, b)


def _gt(a: Any, b: Any) -> bool:
    return not _le(a, b)


def _ge(a: Any, b: Any) -> bool:
    return not _lt(a, b)


def _eval_args(args: tuple) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(*args)


_HTML_ESC = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _html(*args: Any) -> str:
    return "".join(_HTML_ESC.get(c, c) for c in _eval_args(args))


_JS_ESC = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026",
           "=": "\\u003D"}


def _js(*args: Any) -> str:
    out = []
    for c in _eval_args(args):
        if c in _JS_ESC:
            out.append(_JS_ESC[c])
        elif c < " ":
            out.append(f"\\u00{ord(c):02X}")
        elif c >= "\x80" and not c.isprintable():
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


def _urlquery(*args: Any) -> str:
    from urllib.parse import quote_plus

    return quote_plus(_eval_args(args), safe="")


def _printf(fmt: str, *args: Any) -> str:
    return sprintf(fmt, *args)


# name -> (implementation, number of fixed arguments, variadic)
_BUILTINS: dict[str, tuple[Callable | None, int, bool]] = {
    "and": (None, 1, True),
    "or": (None, 1, True),
    "not": (_not, 1, False),
    "len": (_len, 1, False),
    "index": (_index, 1, True),
    "slice": (_slice, 1, True),
    "print": (sprint, 0, True),
    "printf": (_printf, 1, True),
    "println": (sprintln, 0, True),
    "eq": (_eq, 1, True),
    "ne": (_ne, 2, False),
    "lt": (_lt, 2, False),
    "le": (_le, 2, False),
    "gt": (_gt, 2, False),
    "ge": (_ge, 2, False),
    "html": (_html, 0, True),
    "js": (_js, 0, True),
    "urlquery": (_urlquery, 0, True),
    "call": (None, 1, True),
}


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------


class _Missing:
    """No value: the final argument of a command that is first in its pipeline."""

    __slots__ = ()


_MISSING = _Missing()


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_SNAKE1 = re.compile(r"(.)([A-Z][a-z]+)")
_SNAKE2 = re.compile(r"([a-z0-9])([A-Z])")
_PLAIN_TYPES = (type(None), bool, int, float, complex, str, bytes, bytearray, list, tuple, set,
                frozenset)


def _snake(name: str) -> str:
    return _SNAKE2.sub(r"\1_\2", _SNAKE1.sub(r"\1_\2", name)).lower()


def _arity_error(fn: Callable, n: int, nargs: int) -> str | None:
    """Why fn cannot take n positional arguments, in Go's words, or None if it can."""
    import inspect

    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    try:
        sig.bind(*([None] * n))
        return None
    except TypeError:
        pass
    params = list(sig.parameters.values())
    positional = [p for p in params
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return f"want at least {len(required)} got {nargs}"
    return f"want {len(required) if n < len(required) else len(positional)} got {n}"


class _Exec:
    def __init__(self, tmpl: Template, funcs: Mapping[str, Callable], name: str):
        self.tmpl = tmpl
        self.funcs = funcs
        self.name = name
        self.vars: list[list[Any]] = []
        self.node: _Node | None = None
        self.out: list[str] = []
        self._arity: dict[tuple[Any, int, int], str | None] = {}

    def arity_error(self, fn: Callable, n: int, nargs: int) -> str | None:
        try:
            key = (fn, n, nargs)
            if key not in self._arity:
                self._arity[key] = _arity_error(fn, n, nargs)
            return self._arity[key]
        except TypeError:  # an unhashable callable
            return _arity_error(fn, n, nargs)

    # -- errors ----------------------------------------------------------------------------

    def errorf(self, msg: str) -> None:
        if self.node is None:
            raise TemplateError(f"template: {self.name}: {msg}")
        location, context = self.tmpl._error_context(self.node)
        raise TemplateError(
            f"template: {location}: executing {_quote(self.name)} at <{context}>: {msg}")

    # -- variables -------------------------------------------------------------------------

    def set_var(self, name: str, value: Any) -> None:
        for v in reversed(self.vars):
            if v[0] == name:
                v[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    def var_value(self, name: str) -> Any:
        for v in reversed(self.vars):
            if v[0] == name:
                return v[1]
        self.errorf(f"undefined variable: {name}")

    # -- walking ---------------------------------------------------------------------------

    def walk(self, dot: Any, node: _Node) -> None:
        self.node = node
        if isinstance(node, _Text):
            self.out.append(node.text)
        elif isinstance(node, _Action):
            val = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.print_value(node, val)
        elif isinstance(node, _List):
            for n in node.nodes:
                self.walk(dot, n)
        elif isinstance(node, _Branch):
            if node.kind == "range":
                self.walk_range(dot, node)
            else:
                self.walk_if_or_with(dot, node)
        elif isinstance(node, _TemplateCall):
            self.walk_template(dot, node)
        elif isinstance(node, _Keyword) and node.word == "break":
            raise _Break
        elif isinstance(node, _Keyword) and node.word == "continue":
            raise _Continue
        else:
            self.errorf(f"unknown node: {node}")

    def walk_if_or_with(self, dot: Any, node: _Branch) -> None:
        mark = len(self.vars)
        try:
            val = self.eval_pipeline(dot, node.pipe)
            if _truth(val):
                self.walk(val if node.kind == "with" else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def walk_range(self, dot: Any, r: _Branch) -> None:
        self.node = r
        mark0 = len(self.vars)
        try:
            val = self.eval_pipeline(dot, r.pipe)
            mark = len(self.vars)
            decl = r.pipe.decl

            def one(index: Any, elem: Any) -> None:
                if decl:
                    if r.pipe.is_assign:
                        self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
                    else:
                        self.vars[-1][1] = elem
                if len(decl) > 1:
                    if r.pipe.is_assign:
                        self.set_var(decl[1].ident[0], elem)
                    else:
                        self.vars[-2][1] = index
                try:
                    self.walk(elem, r.list)
                except _Continue:
                    pass
                finally:
                    del self.vars[mark:]

            try:
                if val is None:
                    pass
                elif isinstance(val, (list, tuple)):
                    if val:
                        for i, e in enumerate(val):
                            one(i, e)
                        return
                elif isinstance(val, Mapping):
                    if val:
                        for k, v in _sorted_items(val):
                            one(k, v)
                        return
                elif isinstance(val, int) and not isinstance(val, bool):
                    if len(decl) > 1:
                        self.errorf(f"can't use {sprint(val)} to iterate over more than one "
                                    "variable")
                    if val > 0:
                        for i in range(val):
                            one(None, i)
                        return
                elif isinstance(val, (str, bytes, bytearray, bool, float, complex)) \
                        or _is_dataclass(val) or not hasattr(val, "__iter__"):
                    self.errorf(f"range can't iterate over {sprint(val)}")
                else:
                    items = list(val)
                    if isinstance(val, (set, frozenset)):
                        items = [k for k, _ in _sorted_items(dict.fromkeys(items))]
                    if items:
                        for i, e in enumerate(items):
                            one(i, e)
                        return
            except _Break:
                return
            if r.else_list is not None:
                self.walk(dot, r.else_list)
        finally:
            del self.vars[mark0:]

    def walk_template(self, dot: Any, t: _TemplateCall) -> None:
        self.node = t
        root = self.tmpl._trees.get(t.name)
        if root is None:
            self.errorf(f"template {_quote(t.name)} not defined")
        dot = self.eval_pipeline(dot, t.pipe) if t.pipe is not None else None
        saved = self.name, self.vars
        self.name, self.vars = t.name, [["$", dot]]
        try:
            self.walk(dot, root)
        finally:
            self.name, self.vars = saved

    def print_value(self, node: _Node, v: Any) -> None:
        self.node = node
        if isinstance(v, _FUNC_TYPES):
            self.errorf(f"can't print {node} of type {_go_type(v)}")
        p = _Printer()
        p.print_arg(v, "v")
        self.out.append(p.text())

    # -- evaluation ------------------------------------------------------------------------

    def eval_pipeline(self, dot: Any, pipe: _Pipe) -> Any:
        self.node = pipe
        value: Any = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        for v in pipe.decl:
            if pipe.is_assign:
                self.set_var(v.ident[0], value)
            else:
                self.vars.append([v.ident[0], value])
        return value

    def not_a_function(self, args: list[_Node] | None, final: Any) -> None:
        if (args is not None and len(args) > 1) or final is not _MISSING:
            self.errorf(f"can't give argument to non-function {args[0] if args else ''}")

    def eval_command(self, dot: Any, cmd: _Command, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, _Field):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, _Chain):
            return self.eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, _Identifier):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, _Pipe):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, _Variable):
            return self.eval_variable_node(dot, first, cmd.args, final)
        self.node = first
        self.not_a_function(cmd.args, final)
        if isinstance(first, _Dot):
            return dot
        if isinstance(first, _Nil):
            self.errorf("nil is not a command")
        if isinstance(first, _Literal):
            return first.value
        self.errorf(f"can't evaluate command {_quote(str(first))}")

    def eval_arg(self, dot: Any, n: _Node) -> Any:
        self.node = n
        if isinstance(n, _Dot):
            return dot
        if isinstance(n, _Nil):
            return None
        if isinstance(n, _Field):
            return self.eval_field_node(dot, n, [n], _MISSING)
        if isinstance(n, _Variable):
            return self.eval_variable_node(dot, n, None, _MISSING)
        if isinstance(n, _Pipe):
            return self.eval_pipeline(dot, n)
        if isinstance(n, _Identifier):
            return self.eval_function(dot, n, n, None, _MISSING)
        if isinstance(n, _Chain):
            return self.eval_chain_node(dot, n, None, _MISSING)
        if isinstance(n, _Literal):
            return n.value
        self.errorf(f"can't handle {n} for arg")

    def eval_field_node(self, dot: Any, field: _Field, args: list[_Node], final: Any) -> Any:
        self.node = field
        return self.eval_field_chain(dot, dot, field, field.ident, args, final)

    def eval_chain_node(self, dot: Any, chain: _Chain, args: list[_Node] | None,
                        final: Any) -> Any:
        self.node = chain
        if isinstance(chain.node, _Nil):
            self.errorf(f"indirection through explicit nil in {chain}")
        pipe = self.eval_arg(dot, chain.node)
        return self.eval_field_chain(dot, pipe, chain, chain.fields, args, final)

    def eval_variable_node(self, dot: Any, var: _Variable, args: list[_Node] | None,
                           final: Any) -> Any:
        self.node = var
        value = self.var_value(var.ident[0])
        if len(var.ident) == 1:
            self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, var, var.ident[1:], args, final)

    def eval_field_chain(self, dot: Any, receiver: Any, node: _Node, ident: list[str],
                         args: list[_Node] | None, final: Any) -> Any:
        for name in ident[:-1]:
            receiver = self.eval_field(dot, name, node, None, _MISSING, receiver)
        return self.eval_field(dot, ident[-1], node, args, final, receiver)

    def eval_field(self, dot: Any, name: str, node: _Node, args: list[_Node] | None,
                   final: Any, receiver: Any) -> Any:
        if receiver is None:
            self.errorf(f"nil pointer evaluating interface {{}}.{name}")
        has_args = (args is not None and len(args) > 1) or final is not _MISSING
        if isinstance(receiver, Mapping):
            for key in (name, _snake(name)):
                try:
                    if key in receiver:
                        if has_args:
                            self.errorf(f"{name} is not a method but has arguments")
                        return receiver[key]
                except TypeError:
                    break
        elif not isinstance(receiver, _PLAIN_TYPES) and not name.startswith("_"):
            for attr in dict.fromkeys((name, _snake(name))):
                try:
                    value = getattr(receiver, attr)
                except AttributeError:
                    continue
                except Exception as exc:  # noqa: BLE001 - a property that fails
                    self.errorf(f"error calling {name}: {_err_text(exc)}")
                if isinstance(value, (types.MethodType, types.BuiltinMethodType)):
                    return self.eval_call(dot, value, False, node, name, args, final)
                if has_args:
                    self.errorf(f"{name} has arguments but cannot be invoked as function")
                return value
        self.errorf(f"can't evaluate field {name} in type {_go_type(receiver)}")

    def eval_function(self, dot: Any, node: _Identifier, cmd: _Node,
                      args: list[_Node] | None, final: Any) -> Any:
        self.node = node
        name = node.name
        fn = self.funcs.get(name)
        if fn is not None:
            return self.eval_call(dot, fn, False, cmd, name, args, final)
        if name in _BUILTINS:
            return self.eval_call(dot, _BUILTINS[name][0], True, cmd, name, args, final)
        self.errorf(f"{_quote(name)} is not a defined function")

    def eval_call(self, dot: Any, fn: Callable | None, builtin: bool, node: _Node, name: str,
                  args: list[_Node] | None, final: Any) -> Any:
        argnodes = args[1:] if args else []
        num_in = len(argnodes) + (final is not _MISSING)
        if builtin:
            _, fixed, variadic = _BUILTINS[name]
            if variadic and num_in < fixed:
                self.errorf(f"wrong number of args for {name}: want at least {fixed} "
                            f"got {len(argnodes)}")
            if not variadic and num_in != fixed:
                self.errorf(f"wrong number of args for {name}: want {fixed} got {num_in}")
            if name in ("and", "or"):
                v: Any = None
                for a in argnodes:
                    v = self.eval_arg(dot, a)
                    if _truth(v) == (name == "or"):
                        return v
                if final is not _MISSING:
                    v = final
                return v
        else:
            assert fn is not None
            why = self.arity_error(fn, num_in, len(argnodes))
            if why:
                self.errorf(f"wrong number of args for {name}: {why}")
        argv = [self.eval_arg(dot, a) for a in argnodes]
        if final is not _MISSING:
            argv.append(final)
        if builtin and name == "printf" and not isinstance(argv[0], str):
            self.errorf(f"wrong type for value; expected string; got {_go_type(argv[0])}")
        try:
            if builtin and name == "call":
                callee = str(argnodes[0]) if argnodes else sprint(final)
                return self.call(callee, argv[0], argv[1:])
            assert fn is not None
            return fn(*argv)
        except _FuncError as exc:
            self.node = node
            self.errorf(f"error calling {name}: {exc}")
        except RecursionError:
            raise
        except Exception as exc:  # noqa: BLE001 - a user function's failure is the user's error
            self.node = node
            self.errorf(f"error calling {name}: {_err_text(exc)}")

    def call(self, callee: str, fn: Any, args: list[Any]) -> Any:
        if fn is None:
            raise _FuncError("call of nil")
        if not callable(fn) or isinstance(fn, type):
            raise _FuncError(f"non-function {callee} of type {_go_type(fn)}")
        why = self.arity_error(fn, len(args), len(args))
        if why:
            raise _FuncError(f"wrong number of args for {callee}: {why}")
        try:
            return fn(*args)
        except _FuncError:
            raise
        except Exception as exc:
            raise _FuncError(_err_text(exc)) from exc


def _err_text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------


class Template:
    """A parsed template: the main one (``name``) and those it defines."""

    def __init__(self, name: str, text: str, trees: dict[str, _List],
                 funcs: Mapping[str, Callable]):
        self.name = name
        self._text = text
        self._trees = trees
        self._funcs = dict(funcs)
        self._newlines = [i for i, c in enumerate(text) if c == "\n"]

    @property
    def templates(self) -> list[str]:
        """The names of the templates this one defines, itself included."""
        return sorted(self._trees)

    def _error_context(self, node: _Node) -> tuple[str, str]:
        pos = node.pos
        k = bisect_left(self._newlines, pos)
        line_start = self._newlines[k - 1] + 1 if k else 0
        col = len(self._text[line_start:pos].encode())
        context = str(node)
        if len(context.encode()) > 20:
            context = context[:20] + "..."
        return f"{self.name}:{k + 1}:{col}", context

    def execute(self, data: Any = None, funcs: Mapping[str, Callable] | None = None, *,
                name: str | None = None) -> str:
        """Render the template (or the defined template ``name``) with ``data`` as dot.
        ``funcs`` add to or replace the functions given to :func:`parse`."""
        all_funcs = {**self._funcs, **(funcs or {})}
        name = self.name if name is None else name
        root = self._trees.get(name)
        if root is None:
            raise TemplateError(
                f"template: no template {_quote(name)} associated with template "
                f"{_quote(self.name)}")
        state = _Exec(self, all_funcs, name)
        state.vars.append(["$", data])
        try:
            state.walk(data, root)
        except RecursionError:
            raise TemplateError(
                f"template: {name}: exceeded maximum template depth") from None
        return "".join(state.out)


def parse(text: str, funcs: Mapping[str, Callable] | None = None, *,
          name: str = "format") -> Template:
    """Parse a Go template.  Functions the template calls must be builtins or in ``funcs``
    (Go checks this at parse time); errors read ``template: format:LINE: …``."""
    funcs = dict(funcs or {})
    trees = _Parser(name, text, funcs).parse()
    return Template(name, text, trees, funcs)
