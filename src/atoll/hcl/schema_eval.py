"""Atlas schema-file semantics on top of the generic evaluator (``schemahcl/schemahcl.go``,
``schemahcl/context.go``).

``evaluate_schema_files(files, variables)`` parses every file, merges them (sorted by path),
binds ``variable`` blocks, ``locals``, the references to labelled blocks and ``for_each``
copies, and returns a :class:`~atoll.hcl.document.Document`:

* ``schema.main`` → ``Ref((("schema", "main"),))``; ``table.users.column.id`` → an absolute
  Ref; ``column.id`` inside a table → ``Ref((("column", "id"),), local=True)``; two-label blocks
  (``table "main" "users"``) are named ``"main.users"``; unlabeled blocks by their index
  (``"0"``). References may point forward and across files.
* ``type = integer`` / ``type = varchar(255)`` → :class:`TypeCall` (``sql("x")`` →
  :class:`RawSQL`); inside ``as`` and ``index`` blocks a bare ``type = STORED`` is a
  :class:`Word`.
* Any other bare identifier that is not a variable (``on_delete = SET_NULL``) → :class:`Word`,
  except in reference attributes (``schema``, ``column``, ``columns``, ``ref_columns``, …)
  where it is an ``Unknown variable`` error.
* Attributes that evaluate to null are omitted (Atlas treats them as unset).
"""

from __future__ import annotations

from ..errors import HCLError, SourcePos
from ..gcpause import gc_paused
from . import ast
from .document import Attribute, Block, Document, RawSQL, Ref, TypeCall, Word
from .evaluate import Lazy, Scope, eval_expr, eval_raw
from .functions import make_set
from .parser import parse
from .values import NotAValue, SetValue, format_number, to_bool, to_number, to_string, type_name

# Attributes whose bare identifiers must be references (never enum words).
REFERENCE_ATTRS = frozenset({"schema", "column", "columns", "ref_columns", "depends_on", "ref",
                             "refs", "table"})
# Blocks where ``type = WORD`` is an enum rather than a column type.
WORD_TYPE_BLOCKS = frozenset({"as", "index"})

_VALID_TYPES = "Valid types are: string, number, bool, list, map, or set"


# --------------------------------------------------------------------------------------------
# Variable types


def variable_type(expr: ast.Expr, name: str) -> tuple:
    """The type written in a ``variable`` block's ``type`` attribute: ``("string",)``,
    ``("number",)``, ``("bool",)``, ``("list", T)``, ``("set", T)``, ``("map", T)``,
    ``("tuple", [T…])``, ``("object", {k: T})`` or ``("any",)``."""

    def bad() -> HCLError:
        if isinstance(expr, ast.Literal) and isinstance(expr.value, str):
            text = expr.value
        elif isinstance(expr, ast.Variable):
            text = expr.name
        else:
            text = type(expr).__name__.lower()
        return HCLError(f'invalid type "{text}" for variable "{name}". {_VALID_TYPES}')

    def walk(e: ast.Expr) -> tuple:
        if isinstance(e, ast.Variable):
            if e.name in ("string", "bool", "number"):
                return (e.name,)
            if e.name == "int":
                return ("number",)
            if e.name == "any":
                return ("any",)
            raise bad()
        if isinstance(e, ast.Call):
            if e.name in ("list", "set", "map") and len(e.args) == 1:
                return (e.name, walk(e.args[0]))
            if e.name == "tuple" and len(e.args) == 1 and isinstance(e.args[0], ast.Tuple):
                return ("tuple", [walk(x) for x in e.args[0].items])
            if e.name == "object" and len(e.args) == 1 and isinstance(e.args[0], ast.Object):
                fields = {}
                for k, v in e.args[0].items:
                    if not isinstance(k, ast.Literal) or not isinstance(k.value, str):
                        raise bad()
                    fields[k.value] = walk(v)
                return ("object", fields)
        raise bad()

    return walk(expr)


def type_friendly(t: tuple) -> str:
    kind = t[0]
    if kind in ("list", "set", "map"):
        return f"{kind} of {type_friendly(t[1])}"
    if kind == "any":
        return "any type"
    return kind


def convert_value(value: object, t: tuple) -> object:
    """Convert ``value`` to the variable type ``t`` (cty conversion rules). Raises ValueError
    with cty's wording (``a number is required``)."""
    kind = t[0]
    if value is None or kind == "any":
        return value
    if kind == "string":
        if isinstance(value, (list, dict)):
            raise ValueError("string required")
        return to_string(value)
    if kind == "number":
        try:
            return to_number(value)
        except ValueError:
            raise ValueError("a number is required") from None
    if kind == "bool":
        try:
            return to_bool(value)
        except ValueError:
            raise ValueError("a bool is required") from None
    if kind in ("list", "set"):
        if not isinstance(value, list):
            raise ValueError(f"{type_friendly(t)} required")
        out = []
        for i, v in enumerate(value):
            try:
                out.append(convert_value(v, t[1]))
            except ValueError as e:
                raise ValueError(f"element {i}: {e}") from None
        return make_set(out) if kind == "set" else out
    if kind == "map":
        if not isinstance(value, dict):
            raise ValueError(f"{type_friendly(t)} required")
        res = {}
        for k, v in value.items():
            try:
                res[k] = convert_value(v, t[1])
            except ValueError as e:
                raise ValueError(f'element "{k}": {e}') from None
        return res
    if kind == "tuple":
        if not isinstance(value, list) or len(value) != len(t[1]):
            raise ValueError("tuple required")
        return [convert_value(v, et) for v, et in zip(value, t[1])]
    if kind == "object":
        if not isinstance(value, dict):
            raise ValueError("object required")
        res = {}
        for k, et in t[1].items():
            if k not in value:
                raise ValueError(f'attribute "{k}" is required')
            res[k] = convert_value(value[k], et)
        return res
    raise ValueError(f"unsupported type {kind}")  # pragma: no cover


def convert_variable(name: str, value: object, t: tuple) -> object:
    """Bind an input value to a declared variable: a single value given for a ``list(T)``
    variable is wrapped in a list (Atlas), then the value is converted to the type."""
    if t[0] == "list" and not isinstance(value, list) and t[1][0] in ("string", "number",
                                                                       "bool"):
        value = [value]
    try:
        return convert_value(value, t)
    except ValueError as e:
        raise HCLError(f'variable "{name}": {e}') from None


# --------------------------------------------------------------------------------------------
# Block references


class _Node:
    """One block instance, addressable by references (``table.users``)."""

    __slots__ = ("ev", "block", "name", "parent", "each", "_kids", "_order", "_scope",
                 "_attr_cache", "_final")

    def __init__(self, ev: "_SchemaEvaluator", block: ast.Block, name: str,
                 parent: "_Node | None", each: dict | None = None):
        self.ev = ev
        self.block = block
        self.name = name
        self.parent = parent
        self.each = each
        self._kids: dict[str, dict] | None = None
        self._order: list[_Node] | None = None
        self._scope: Scope | None = None
        self._attr_cache: dict[str, object] | None = None
        self._final: str | None = None

    def path(self) -> list[tuple[str, str]]:
        n: _Node | None = self
        out = []
        while n is not None:
            out.append((n.block.type, n.name))
            n = n.parent
        out.reverse()
        return out

    def _build_kids(self) -> None:
        kids: dict[str, dict] = {}
        order: list[_Node] = []
        unlabeled: dict[str, int] = {}
        Block_ = ast.Block
        for item in self.block.body.items:
            if type(item) is not Block_:
                continue
            entries = kids.setdefault(item.type, {})
            labels = item.labels
            if not labels:
                n = unlabeled.get(item.type, 0)
                unlabeled[item.type] = n + 1
                node = _Node(self.ev, item, str(n), self)
                entries[node.name] = node
            elif len(labels) == 1:
                node = _Node(self.ev, item, labels[0], self)
                entries[labels[0]] = node
            elif len(labels) == 2:
                node = _Node(self.ev, item, f"{labels[0]}.{labels[1]}", self)
                qual = entries.get(labels[0])
                if not isinstance(qual, dict):
                    qual = entries[labels[0]] = {}
                qual[labels[1]] = node
            else:
                raise HCLError(f"too many labels for block: [{' '.join(labels)}]", item.pos)
            order.append(node)
        self._kids = kids
        self.ev.nodes.append(self)  # refers to its kids now: released at the end
        self._order = order

    def kids(self) -> dict[str, dict]:
        if self._kids is None:
            self._build_kids()
        return self._kids  # type: ignore[return-value]

    def ordered_kids(self) -> list["_Node"]:
        if self._order is None:
            self._build_kids()
        return self._order  # type: ignore[return-value]

    def scope(self) -> Scope:
        """The scope this block's attributes are evaluated in: the enclosing scope, ``each``
        for a for_each copy, and local references to this block's child blocks."""
        s = self._scope
        if s is not None:
            return s
        base = self.parent.scope() if self.parent is not None else self.ev.root
        if self.each is not None:
            base = Scope({"each": self.each}, None, base)
        kids = self.kids()
        if kids:
            base = Scope({t: _BlockSet(entries, self, True) for t, entries in kids.items()},
                         None, base)
        self._scope = base
        return base

    def attr_value(self, name: str) -> object:
        """The plain value of one of this block's attributes (for ``table.t.name`` etc.)."""
        cache = self._attr_cache
        if cache is None:
            cache = self._attr_cache = {}
            self.ev.nodes.append(self)
        if name in cache:
            v = cache[name]
            if isinstance(v, Lazy):
                return v.get()
            return v
        attr = self.block.body.attribute(name)
        if attr is None:
            raise KeyError(name)
        lazy = Lazy(lambda: eval_expr(attr.expr, self.scope()),
                    ".".join(f"{t}.{n}" for t, n in self.path()) + "." + name)
        cache[name] = lazy
        return lazy.get()

    def final_name(self) -> str:
        """The name after ``name = …`` overrides (used to patch references when the document
        declares variables, as Atlas does)."""
        if self._final is None:
            final = self.name
            if self.ev.patch_names and self.block.body.attribute("name") is not None:
                v = self.attr_value("name")
                if isinstance(v, str):
                    if len(self.block.labels) == 2:
                        final = f"{self.block.labels[0]}.{v}"
                    else:
                        final = v
            self._final = final
        return self._final


class _BlockSet:
    """The blocks of one type (``table``, or ``column`` inside a table): ``.name`` / ``["name"]``
    select one. Not a value on its own (``refs = [table]`` is an invalid reference)."""

    __slots__ = ("entries", "owner", "local")

    def __init__(self, entries: dict, owner: _Node | None, local: bool):
        self.entries = entries
        self.owner = owner
        self.local = local

    def _get(self, key: str) -> object:
        e = self.entries[key]
        if type(e) is dict:
            return _BlockSet(e, self.owner, self.local)
        return _BlockRef(e, self.owner, self.local)

    def hcl_getattr(self, name: str) -> object:
        return self._get(name)

    def hcl_index(self, key: object) -> object:
        try:
            k = to_string(key)
        except ValueError:
            raise KeyError(key) from None
        return self._get(k)

    def hcl_items(self) -> list:
        return [(k, self._get(k)) for k in sorted(self.entries)]

    def hcl_finalize(self) -> object:
        raise NotAValue("invalid reference")


class _BlockRef:
    """A reference to one block: becomes a :class:`Ref` once evaluation is over."""

    __slots__ = ("node", "owner", "local")

    def __init__(self, node: _Node, owner: _Node | None, local: bool):
        self.node = node
        self.owner = owner
        self.local = local

    def hcl_getattr(self, name: str) -> object:
        node = self.node
        kids = node.kids()
        if name in kids:
            return _BlockSet(kids[name], self.owner, self.local)
        if name == "name":
            if node.block.body.attribute("name") is not None:
                return node.attr_value("name")
            return node.block.labels[-1] if node.block.labels else node.name
        return node.attr_value(name)

    def hcl_index(self, key: object) -> object:
        return self.hcl_getattr(to_string(key))

    def ref(self, pos: SourcePos | None) -> Ref:
        return _ref_to(self.node, self.owner, self.local, pos)

    def hcl_finalize(self) -> object:
        return self.ref(None)


def _ref_to(node: _Node, owner: _Node | None, local: bool, pos: SourcePos | None) -> Ref:
    """The Ref a reference to ``node`` becomes (relative to ``owner`` when ``local``)."""
    stop = owner if local else None
    if node.parent is stop:
        return Ref(((node.block.type, node.final_name()),), local, pos)
    chain: list[_Node] = []
    n: _Node | None = node
    while n is not None and n is not stop:
        chain.append(n)
        n = n.parent
    chain.reverse()
    return Ref(tuple((c.block.type, c.final_name()) for c in chain), local, pos)


def _block_ref(expr: ast.GetAttr, scope: Scope) -> Ref | None:
    """The Ref of a plain block reference (``column.id``, ``table.t.column.id``) without the
    general evaluator's intermediate objects, or None for anything else (the general path
    then evaluates it, with its errors)."""
    names = []
    e: ast.Expr = expr
    while type(e) is ast.GetAttr:
        names.append(e.name)  # type: ignore[union-attr]
        e = e.obj  # type: ignore[union-attr]
    if type(e) is not ast.Variable:
        return None
    start = scope.lookup(e.name, None)  # type: ignore[union-attr]
    if type(start) is not _BlockSet:
        return None
    entries: dict | None = start.entries
    node: _Node | None = None
    for name in reversed(names):
        if entries is None:
            entries = node.kids().get(name)  # type: ignore[union-attr]
            if entries is None:
                return None
        else:
            node = entries.get(name)
            if type(node) is not _Node:
                return None
            entries = None
    if entries is not None:
        return None
    return _ref_to(node, start.owner, start.local, expr.pos)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# The evaluator


class _SchemaEvaluator:
    def __init__(self, variables: dict[str, object] | None):
        self.inputs = variables or {}
        self.root = Scope({})
        self.patch_names = False
        self.nodes: list[_Node] = []

    def release(self) -> None:
        """Break the reference cycles between nodes, scopes and this evaluator, so that the
        syntax tree is freed at once by reference counting instead of waiting for (and
        slowing down) the next collection of the cyclic garbage collector."""
        # Only nodes that built kids or an attribute cache are listed: the others refer to
        # nothing that refers back to them.
        for n in self.nodes:
            n.ev = n.parent = n._kids = n._order = n._scope = n._attr_cache = None
        self.nodes.clear()
        self.root.variables.clear()

    def run(self, files: list[tuple[str, str]]) -> Document:
        parsed = [(name, parse(text, name)) for name, text in files]
        parsed.sort(key=lambda f: f[0])

        var_blocks: list[ast.Block] = []
        local_attrs: list[ast.Attribute] = []
        static: list[tuple[int, ast.Block]] = []
        meta: list[tuple[int, ast.Block]] = []
        top_attrs: list[ast.Attribute] = []
        for fi, (_, body) in enumerate(parsed):
            for item in body.items:
                if type(item) is ast.Attribute:
                    top_attrs.append(item)
                    continue
                t = item.type
                if t == "variable":
                    var_blocks.append(item)
                elif t == "locals":
                    local_attrs.extend(a for a in item.body.items if type(a) is ast.Attribute)
                elif t == "data":
                    if len(item.labels) < 2:
                        raise HCLError('data block "data" must have exactly 2 labels')
                    raise HCLError(f'missing data source handler for "{item.labels[0]}"')
                elif item.body.attribute("for_each") is not None:
                    meta.append((fi, item))
                else:
                    static.append((fi, item))

        root_vars = self.root.variables
        # variables
        self.patch_names = bool(var_blocks)
        root_vars["var"] = self.bind_variables(var_blocks)
        # locals: lazily computed, all of them evaluated
        if local_attrs:
            locals_: dict[str, object] = {}
            for a in local_attrs:
                locals_[a.name] = Lazy(self._local_fn(a), f"local.{a.name}")
            root_vars["local"] = locals_
        # references to top-level blocks
        top = _NodeSet()
        nodes: list[tuple[int, _Node]] = []
        for fi, blk in static:
            node = top.add(self, blk, None)
            nodes.append((fi, node))
        for t, entries in top.by_type.items():
            root_vars.setdefault(t, _BlockSet(entries, None, False))
        # every local is evaluated, referenced or not (as Atlas does)
        for v in root_vars.get("local", {}).values():  # type: ignore[union-attr]
            v.get()
        # for_each copies, appended after the static blocks of their file (as Atlas does)
        copies: list[tuple[int, _Node]] = []
        for fi, blk in meta:
            for node in self.expand_for_each(blk, top):
                copies.append((fi, node))
        for t, entries in top.by_type.items():
            if t not in root_vars:
                root_vars[t] = _BlockSet(entries, None, False)

        doc = Document()
        for a in top_attrs:
            v = self.eval_attr(a, self.root, "")
            if v is not None:
                doc.attrs[a.name] = Attribute(a.name, v, a.pos)
        order = sorted(nodes + copies, key=lambda x: x[0])  # stable: static before copies
        for _, node in order:
            doc.blocks.append(self.eval_node(node, skip_for_each=node.each is not None))
        return doc

    def _local_fn(self, a: ast.Attribute):
        return lambda: eval_expr(a.expr, self.root)

    # -- variables -------------------------------------------------------------------------

    def bind_variables(self, blocks: list[ast.Block]) -> dict[str, object]:
        out: dict[str, object] = {}
        type_scope = Scope({})
        for blk in blocks:
            if len(blk.labels) != 1:
                raise HCLError("Missing name for variable; All variable blocks must have 1 "
                               "label (name).", blk.pos)
            name = blk.labels[0]
            type_attr = default_attr = None
            for item in blk.body.items:
                if type(item) is ast.Block:
                    raise HCLError(f'Unsupported block type; Blocks of type "{item.type}" are '
                                   f"not expected here.", item.pos)
                if item.name == "type":
                    type_attr = item
                elif item.name == "default":
                    default_attr = item
                elif item.name != "description":
                    raise HCLError(f'Unsupported argument; An argument named "{item.name}" is '
                                   f"not expected here.", item.range)
            if type_attr is None:
                raise HCLError('Missing required argument; The argument "type" is required, '
                               "but no definition was found.", blk.pos)
            typ = variable_type(type_attr.expr, name)
            if name in self.inputs:
                value = self.inputs[name]
            elif default_attr is not None:
                value = eval_expr(default_attr.expr, type_scope)
            else:
                raise HCLError(f'missing value for required variable "{name}"')
            out[name] = convert_variable(name, value, typ)
        return out

    # -- for_each --------------------------------------------------------------------------

    def expand_for_each(self, blk: ast.Block, top: "_NodeSet") -> list[_Node]:
        fe = blk.body.attribute("for_each")
        assert fe is not None
        value = eval_expr(fe.expr, self.root)
        if type(value) is SetValue:
            items = [(v, v) for v in value]
        elif isinstance(value, dict):
            items = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, list):
            items = list(enumerate(value))
        else:
            raise HCLError(f"schemahcl: for_each does not support {type_name(value)} type",
                           fe.range)
        out = []
        for k, v in items:
            node = top.add(self, blk, {"key": k, "value": v})
            out.append(node)
        return out

    # -- blocks and attributes -------------------------------------------------------------

    def eval_node(self, node: _Node, skip_for_each: bool = False) -> Block:
        blk = node.block
        btype = blk.type
        scope = node.scope()
        attrs: dict[str, Attribute] = {}
        blocks: list[Block] = []
        out = Block(btype, list(blk.labels), attrs, blocks, blk.pos)
        kids = iter(node.ordered_kids())
        Attribute_, Literal_ = ast.Attribute, ast.Literal
        try:
            for item in blk.body.items:
                if type(item) is Attribute_:
                    if skip_for_each and item.name == "for_each":
                        continue
                    expr = item.expr
                    if type(expr) is Literal_:
                        v = expr.value
                    else:
                        v = self.eval_attr(item, scope, btype)
                    if v is not None:
                        attrs[item.name] = Attribute(item.name, v, item.pos)
                else:
                    kid = next(kids)
                    kb = kid.block
                    for x in kb.body.items:
                        if type(x) is not Attribute_:
                            blocks.append(self.eval_node(kid))
                            break
                    else:
                        # no nested blocks: evaluated in this block's scope, as its own
                        # scope() would be (kids have no for_each)
                        blocks.append(self.eval_leaf(kb, scope))
        except HCLError as e:
            if node.each is not None and node.parent is None:
                raise HCLError(f"schemahcl: evaluate block for value {_go_quote(node.each['value'])}"
                               f": {e}") from None
            raise
        return out

    def eval_leaf(self, blk: ast.Block, scope: Scope) -> Block:
        """:meth:`eval_node` for a nested block that holds only attributes."""
        btype = blk.type
        attrs: dict[str, Attribute] = {}
        Literal_ = ast.Literal
        for item in blk.body.items:
            expr = item.expr  # type: ignore[union-attr]
            if type(expr) is Literal_:
                v = expr.value
            else:
                v = self.eval_attr(item, scope, btype)  # type: ignore[arg-type]
            if v is not None:
                attrs[item.name] = Attribute(item.name, v, item.pos)  # type: ignore[union-attr]
        return Block(btype, list(blk.labels), attrs, [], blk.pos)

    def eval_attr(self, attr: ast.Attribute, scope: Scope, block_type: str) -> object:
        expr = attr.expr
        cls = type(expr)
        if cls is ast.Literal:
            return expr.value
        name = attr.name
        if name == "type" and block_type not in WORD_TYPE_BLOCKS and block_type != "":
            if cls is ast.Variable:
                return TypeCall(expr.name, (), expr.pos)
            if cls is ast.Call and expr.name != "sql":
                args = tuple(a.value if type(a) is ast.Literal
                             else self.finish(eval_raw(a, scope), attr, a.pos) for a in expr.args)
                if expr.expand and args:
                    last = args[-1]
                    args = args[:-1] + tuple(last if isinstance(last, list) else [last])
                return TypeCall(expr.name, args, expr.pos)
        if name not in REFERENCE_ATTRS:
            if cls is ast.Variable and not scope.has(expr.name):
                return Word(expr.name)
            if cls is ast.Tuple:
                return [Word(e.name) if type(e) is ast.Variable and not scope.has(e.name)
                        else self.value(e, scope, attr) for e in expr.items]
        elif cls is ast.Tuple:
            return [self.value(e, scope, attr) for e in expr.items]
        return self.value(expr, scope, attr)

    def value(self, expr: ast.Expr, scope: Scope, attr: ast.Attribute) -> object:
        if type(expr) is ast.GetAttr:
            ref = _block_ref(expr, scope)  # type: ignore[arg-type]
            if ref is not None:
                return ref
        elif type(expr) is ast.Literal:
            return expr.value  # type: ignore[attr-defined]
        return self.finish(eval_raw(expr, scope), attr, expr.pos)

    def finish(self, value: object, attr: ast.Attribute, pos: SourcePos | None = None) -> object:
        """Like :func:`~atoll.hcl.evaluate.finalize`, turning block references into Refs that
        carry the attribute's position."""
        t = type(value)
        if value is None or t is str or t is int or t is bool or t is float:
            return value
        if t is _BlockRef:
            return value.ref(pos or attr.pos)  # type: ignore[union-attr]
        if t is list:
            return [self.finish(v, attr, pos) for v in value]  # type: ignore[union-attr]
        if t is SetValue:
            return SetValue(self.finish(v, attr, pos) for v in value)  # type: ignore
        if t is dict:
            return {k: self.finish(v, attr, pos) for k, v in value.items()}  # type: ignore
        if t is _BlockSet:
            raise HCLError(f"invalid reference used in {attr.name}", attr.range)
        if t is Lazy:
            return self.finish(value.get(), attr, pos)  # type: ignore[union-attr]
        fin = getattr(value, "hcl_finalize", None)
        if fin is not None:
            try:
                return self.finish(fin(), attr, pos)
            except NotAValue:
                raise HCLError(f"invalid reference used in {attr.name}", attr.range) from None
        return value


class _NodeSet:
    """Top-level blocks by type, as the root namespaces see them."""

    def __init__(self) -> None:
        self.by_type: dict[str, dict] = {}
        self.unlabeled: dict[str, int] = {}

    def add(self, ev: _SchemaEvaluator, blk: ast.Block, each: dict | None) -> _Node:
        entries = self.by_type.setdefault(blk.type, {})
        labels = blk.labels
        if not labels:
            n = self.unlabeled.get(blk.type, 0)
            self.unlabeled[blk.type] = n + 1
            node = _Node(ev, blk, str(n), None, each)
            entries[node.name] = node
        elif len(labels) == 1:
            node = _Node(ev, blk, labels[0], None, each)
            entries[labels[0]] = node
        elif len(labels) == 2:
            node = _Node(ev, blk, f"{labels[0]}.{labels[1]}", None, each)
            qual = entries.get(labels[0])
            if not isinstance(qual, dict):
                qual = entries[labels[0]] = {}
            qual[labels[1]] = node
        else:
            raise HCLError(f"too many labels for block: [{' '.join(labels)}]", blk.pos)
        return node


def _go_quote(v: object) -> str:
    import json
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return format_number(v)
    try:
        return json.dumps(v, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(v)


def evaluate_schema_files(files: list[tuple[str, str]],
                          variables: dict[str, object] | None = None) -> Document:
    """Parse and evaluate Atlas schema files ``[(path, text), ...]`` into one Document.

    Files are processed in path order; blocks keep (file, position) order, with for_each
    copies after the static blocks of their file. ``variables`` fills ``variable`` blocks
    (then their ``default``; otherwise ``missing value for required variable "x"``)."""
    ev = _SchemaEvaluator(variables)
    with gc_paused():
        try:
            return ev.run(list(files))
        finally:
            ev.release()


__all__ = [
    "REFERENCE_ATTRS",
    "WORD_TYPE_BLOCKS",
    "RawSQL",
    "convert_value",
    "convert_variable",
    "evaluate_schema_files",
    "variable_type",
]
