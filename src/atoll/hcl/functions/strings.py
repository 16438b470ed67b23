"""String functions: case, trimming, splitting, regular expressions (Go's RE2 syntax),
``format``/``formatlist`` with Go's verbs."""

from __future__ import annotations

from collections.abc import Callable

from ..document import RawSQL
from ..values import FunctionError, normalize_number, to_bool, to_number, to_string, type_name
from .registry import _int, _list, _register, _str


@_register("lower", "str")
def _lower(s):
    return _str(s, 0).lower()


@_register("upper", "str")
def _upper(s):
    return _str(s, 0).upper()


@_register("title", "str")
def _title(s):
    s = _str(s, 0)
    out = []
    prev_sep = True
    for ch in s:
        out.append(ch.upper() if prev_sep else ch)
        prev_sep = not (ch.isalnum() or ch == "_")
    return "".join(out)


@_register("trimspace", "str")
def _trimspace(s):
    return _str(s, 0).strip()


@_register("trim", "str", "cutset")
def _trim(s, cutset):
    return _str(s, 0).strip(_str(cutset, 1))


@_register("trimprefix", "str", "prefix")
def _trimprefix(s, prefix):
    s, p = _str(s, 0), _str(prefix, 1)
    return s[len(p):] if p and s.startswith(p) else s


@_register("trimsuffix", "str", "suffix")
def _trimsuffix(s, suffix):
    s, p = _str(s, 0), _str(suffix, 1)
    return s[:-len(p)] if p and s.endswith(p) else s


@_register("chomp", "str")
def _chomp(s):
    s = _str(s, 0)
    while s.endswith("\r\n") or s.endswith("\n") or s.endswith("\r"):
        s = s[:-2] if s.endswith("\r\n") else s[:-1]
    return s


@_register("indent", "spaces", "str")
def _indent(spaces, s):
    pad = " " * _int(spaces, 0)
    return _str(s, 1).replace("\n", "\n" + pad)


@_register("startswith", "str", "prefix")
def _startswith(s, prefix):
    return _str(s, 0).startswith(_str(prefix, 1))


@_register("endswith", "str", "suffix")
def _endswith(s, suffix):
    return _str(s, 0).endswith(_str(suffix, 1))


@_register("strrev", "str")
def _strrev(s):
    return _str(s, 0)[::-1]


@_register("substr", "str", "offset", "length")
def _substr(s, offset, length):
    s = _str(s, 0)
    off = _int(offset, 1)
    n = _int(length, 2)
    size = len(s)
    if off < 0:
        off = size + off
        if off < 0:
            raise FunctionError("offset out of range", 1)
    if off > size:
        return ""
    if n < 0:
        return s[off:]
    return s[off:off + n]


@_register("split", "separator", "str")
def _split(sep, s):
    sep, s = _str(sep, 0), _str(s, 1)
    if sep == "":
        return list(s)
    return s.split(sep)


@_register("join", "separator", var="lists")
def _join(sep, *lists):
    sep = _str(sep, 0)
    if not lists:
        raise FunctionError("at least one list is required", None)
    items: list[str] = []
    for i, lst in enumerate(lists, 1):
        for v in _list(lst, i):
            if v is None:
                raise FunctionError("element is null: cannot concatenate null values", i)
            items.append(_str(v, i))
    return sep.join(items)


def _go_regex(pattern: str, i: int):
    import re
    # Go RE2 named groups are (?P<name>...), as in Python; (?i) etc. are compatible.
    try:
        return re.compile(pattern)
    except re.error as e:
        raise FunctionError(f"invalid regular expression pattern: {e}", i) from None


def _go_replacement(repl: str) -> Callable:
    """Expand a Go regexp replacement template (``$1``, ``${1}``, ``$name``, ``$$``)."""

    def expand(m) -> str:
        out = []
        i = 0
        n = len(repl)
        while i < n:
            c = repl[i]
            if c != "$" or i + 1 >= n:
                out.append(c)
                i += 1
                continue
            nxt = repl[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt == "{":
                j = repl.find("}", i + 2)
                if j < 0:
                    out.append(c)
                    i += 1
                    continue
                name = repl[i + 2:j]
                i = j + 1
            else:
                j = i + 1
                while j < n and (repl[j].isalnum() or repl[j] == "_"):
                    j += 1
                if j == i + 1:
                    out.append(c)
                    i += 1
                    continue
                name = repl[i + 1:j]
                i = j
            try:
                g = m.group(int(name)) if name.isdigit() else m.group(name)
            except IndexError:
                g = ""
            out.append(g or "")
        return "".join(out)

    return expand


@_register("replace", "str", "substr", "replace")
def _replace(s, substr, repl):
    s, sub, rep = _str(s, 0), _str(substr, 1), _str(repl, 2)
    if len(sub) > 1 and sub.startswith("/") and sub.endswith("/"):
        rx = _go_regex(sub[1:-1], 1)
        return rx.sub(_go_replacement(rep), s)
    return s.replace(sub, rep)


@_register("regexreplace", "str", "pattern", "replace")
def _regexreplace(s, pattern, repl):
    rx = _go_regex(_str(pattern, 1), 1)
    return rx.sub(_go_replacement(_str(repl, 2)), _str(s, 0))


@_register("regex", "pattern", "string")
def _regex(pattern, s):
    rx = _go_regex(_str(pattern, 0), 0)
    m = rx.search(_str(s, 1))
    if m is None:
        raise FunctionError("pattern did not match any part of the given string", None)
    if rx.groupindex:
        return {k: m.group(k) for k in rx.groupindex}
    if rx.groups:
        return list(m.groups())
    return m.group(0)


@_register("regexall", "pattern", "string")
def _regexall(pattern, s):
    rx = _go_regex(_str(pattern, 0), 0)
    out = []
    for m in rx.finditer(_str(s, 1)):
        if rx.groupindex:
            out.append({k: m.group(k) for k in rx.groupindex})
        elif rx.groups:
            out.append(list(m.groups()))
        else:
            out.append(m.group(0))
    return out


_QUOTE_META = set("\\.+*?()|[]{}^$")


@_register("regexpescape", "str")
def _regexpescape(s):
    return "".join("\\" + c if c in _QUOTE_META else c for c in _str(s, 0))


# -- format ----------------------------------------------------------------------------------


def _json_encode(v: object) -> str:
    import json

    def conv(x):
        if x is None or type(x) in (str, bool, int):
            return x
        if type(x) is float:
            return normalize_number(x)
        if isinstance(x, list):
            return [conv(e) for e in x]
        if isinstance(x, dict):
            return {str(k): conv(e) for k, e in x.items()}
        if isinstance(x, RawSQL):
            raise FunctionError("value cannot be encoded as JSON", 0)
        raise FunctionError(f"value of type {type_name(x)} cannot be encoded as JSON", 0)

    text = json.dumps(conv(v), separators=(",", ":"), sort_keys=True, ensure_ascii=False,
                      allow_nan=False)
    # Go's encoding/json escapes HTML-sensitive characters.
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _format_value(verb: str, flags: str, width: str, prec: str, v: object, argi: int) -> str:
    import json

    if verb == "v":
        if "#" in flags:
            body = _json_encode(v)
        elif v is None:
            body = "null"
        elif isinstance(v, (list, dict)):
            body = _json_encode(v)
        else:
            body = to_string(v)
        return _pad(body, flags, width)
    if v is None:
        raise FunctionError(f"unsupported value for \"%{verb}\" at {argi + 1}: null value "
                            f"cannot be formatted", None)
    if verb == "t":
        try:
            b = to_bool(v)
        except ValueError as e:
            raise FunctionError(f'unsupported value for "%t" at {argi + 1}: {e}', None) from None
        return _pad("true" if b else "false", flags, width)
    if verb in ("s", "q"):
        try:
            s = to_string(v)
        except ValueError as e:
            raise FunctionError(f'unsupported value for "%{verb}" at {argi + 1}: {e}',
                                None) from None
        if prec:
            s = s[:int(prec)]
        if verb == "q":
            s = json.dumps(s, ensure_ascii=False)
        return _pad(s, flags, width)
    try:
        n = to_number(v)
    except ValueError as e:
        raise FunctionError(f'unsupported value for "%{verb}" at {argi + 1}: {e}',
                            None) from None
    if verb in ("d", "b", "o", "x", "X"):
        if type(n) is float:
            if not n.is_integer():
                if verb in ("x", "X"):
                    return _pad(float.hex(n), flags, width)
                raise FunctionError(f'unsupported value for "%{verb}" at {argi + 1}: an '
                                    f"integer is required", None)
            n = int(n)
        if verb == "b":
            body = format(abs(n), "b")
            body = ("-" if n < 0 else ("+" if "+" in flags else "")) + body
            return _pad(body, flags, width)
        pyflags = "".join(f for f in flags if f in "-+ 0#")
        return ("%" + pyflags + width + verb) % n
    if verb in ("e", "E", "f", "F", "g", "G"):
        pyflags = "".join(f for f in flags if f in "-+ 0#")
        p = "." + prec if prec else ""
        return ("%" + pyflags + width + p + verb) % float(n)
    raise FunctionError(f'unsupported format verb "%{verb}"', None)


def _pad(s: str, flags: str, width: str) -> str:
    if not width:
        return s
    w = int(width)
    if "-" in flags:
        return s.ljust(w)
    if "0" in flags:
        return s.rjust(w, "0")
    return s.rjust(w)


def format_string(fmt: str, args: tuple | list) -> str:
    """cty's ``format``: printf-like verbs ``%v %#v %t %d %b %o %x %X %e %E %f %g %G %s %q %%``
    with flags, width, precision and ``%[n]`` argument indexes."""
    out: list[str] = []
    i = 0
    n = len(fmt)
    argi = 0
    used = 0
    while i < n:
        c = fmt[i]
        if c != "%":
            j = fmt.find("%", i)
            if j < 0:
                j = n
            out.append(fmt[i:j])
            i = j
            continue
        i += 1
        if i < n and fmt[i] == "%":
            out.append("%")
            i += 1
            continue
        flags = ""
        while i < n and fmt[i] in "+-# 0":
            flags += fmt[i]
            i += 1
        if i < n and fmt[i] == "[":
            j = fmt.find("]", i)
            if j < 0:
                raise FunctionError("unterminated argument index", 0)
            argi = int(fmt[i + 1:j]) - 1
            i = j + 1
        width = ""
        while i < n and fmt[i].isdigit():
            width += fmt[i]
            i += 1
        prec = ""
        if i < n and fmt[i] == ".":
            i += 1
            while i < n and fmt[i].isdigit():
                prec += fmt[i]
                i += 1
            prec = prec or "0"
        if i >= n:
            raise FunctionError("unterminated format verb", 0)
        verb = fmt[i]
        i += 1
        if argi >= len(args):
            raise FunctionError(f'not enough arguments for "%{verb}" at {i - 1}: need index '
                                f"{argi + 1} but have only {len(args)} arguments", None)
        out.append(_format_value(verb, flags, width, prec, args[argi], argi))
        argi += 1
        used = max(used, argi)
    if used < len(args):
        raise FunctionError(f"too many arguments; only {used} used by format string", None)
    return "".join(out)


@_register("format", "format", var="args")
def _format(fmt, *args):
    return format_string(_str(fmt, 0), args)


@_register("formatlist", "format", var="args")
def _formatlist(fmt, *args):
    fmt = _str(fmt, 0)
    n = None
    for i, a in enumerate(args, 1):
        if isinstance(a, list):
            if n is None:
                n = len(a)
            elif n != len(a):
                raise FunctionError(f"argument {i} has length {len(a)}, which is inconsistent "
                                    f"with argument 1 of length {n}", i)
    if n is None:
        n = 1
    out = []
    for k in range(n):
        row = [a[k] if isinstance(a, list) else a for a in args]
        out.append(format_string(fmt, row))
    return out
