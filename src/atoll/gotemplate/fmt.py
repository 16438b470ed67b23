"""Go's ``fmt`` printing for templates: ``Sprint``, ``Sprintln`` and ``Sprintf`` with their
verbs, flags, widths and ``%!verb(…)`` error forms."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .values import (
    _FUNC_TYPES,
    _can_backquote,
    _go_type,
    _has_str,
    _is_dataclass,
    _quote,
    _sorted_items,
)


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
