"""The Go structs Atlas runs ``--format`` templates on, standing in for atoll's report data.

A report reaches a template as its JSON object, which leaves empty fields out. Each
:class:`GoStruct` names the Go type (for Go's ``can't evaluate field X in type T``) and the
fields the JSON form may omit, with their zero values: a template reads an omitted field as Go
would (``""``, ``0``, an empty list, nil) and a misspelt one fails as it does in Go."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class _Struct(dict):
    """A JSON object seen as a Go struct: its own keys, plus the omitted fields at zero."""

    zero: Mapping[str, Any] = {}

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.zero

    def __missing__(self, key: str) -> Any:
        value = self.zero[key]
        return [] if isinstance(value, list) else value


_CLASSES: dict[str, type[_Struct]] = {}


def _struct_class(type_name: str) -> type[_Struct]:
    cls = _CLASSES.get(type_name)
    if cls is None:
        cls = _CLASSES[type_name] = type("GoStructValue", (_Struct,), {"__gotype__": type_name})
    return cls


@dataclass(frozen=True)
class GoStruct:
    """``type_name`` as Go prints it; ``omitted``: field -> zero value for the fields the JSON
    may leave out; ``nested``: field -> the struct of its value (or of each list element)."""

    type_name: str
    omitted: Mapping[str, Any] = field(default_factory=dict)
    nested: Mapping[str, GoStruct] = field(default_factory=dict)

    def wrap(self, value: Any) -> Any:
        """``value`` (a JSON object, or a list of them) as the template sees it."""
        if isinstance(value, list):
            return [self.wrap(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = _struct_class(self.type_name)(
            {k: self.nested[k].wrap(v) if k in self.nested else v for k, v in value.items()})
        out.zero = self.omitted
        return out


_ENV = {"Driver": "", "URL": None, "Dir": ""}
_FILE = GoStruct("*migrate.LocalFile", {"Name": "", "Version": "", "Description": ""})
_STMT_ERROR = GoStruct("*cmdlog.StmtError", {"Stmt": "", "Text": ""})
_APPLIED_FILE = GoStruct(
    "*cmdlog.AppliedFile",
    {"Name": "", "Version": "", "Description": "", "Skipped": 0, "Applied": [], "Error": None},
    {"Error": _STMT_ERROR})
_REVISION = GoStruct("*migrate.Revision", {"Error": "", "ErrorStmt": ""})

MIGRATE_APPLY = GoStruct(
    "*cmdlog.MigrateApply",
    {**_ENV, "Pending": [], "Applied": [], "Current": "", "Target": "", "Error": "",
     "Message": ""},
    {"Pending": _FILE, "Applied": _APPLIED_FILE})

MIGRATE_STATUS = GoStruct(
    "*cmdlog.MigrateStatus",
    {"Available": [], "OutOfOrder": [], "Pending": [], "Applied": [], "Current": "",
     "Next": "", "Count": 0, "Total": 0, "Status": "", "Error": "", "SQL": "", "Drift": []},
    {"Env": GoStruct("cmdlog.Env", _ENV), "Available": _FILE, "OutOfOrder": _FILE,
     "Pending": _FILE, "Applied": _REVISION})

_FIX = GoStruct("sqlcheck.SuggestedFix")
_DIAGNOSTIC = GoStruct("sqlcheck.Diagnostic", {"SuggestedFixes": []}, {"SuggestedFixes": _FIX})
_REPORT = GoStruct("sqlcheck.Report", {"Desc": "", "Diagnostics": [], "SuggestedFixes": []},
                   {"Diagnostics": _DIAGNOSTIC, "SuggestedFixes": _FIX})
_FILE_REPORT = GoStruct(
    "*cmdlog.FileReport",
    {"Name": "", "Text": "", "Reports": [], "Error": "", "Version": "", "SuggestedFixes": []},
    {"Reports": _REPORT, "SuggestedFixes": _FIX})

MIGRATE_LINT = GoStruct(
    "*cmdlog.SummaryReport",
    {"Steps": [], "Files": []},
    {"Env": GoStruct("cmdlog.Env", _ENV),
     "Schema": GoStruct("struct { Current string; Desired string }",
                        {"Current": "", "Desired": ""}),
     "Steps": GoStruct("*cmdlog.StepReport", {"Name": "", "Text": "", "Error": "",
                                               "Result": None}, {"Result": _FILE_REPORT}),
     "Files": _FILE_REPORT})

_ATTRS = {"comment": "", "charset": "", "collate": ""}
_INDEX = GoStruct("cmdlog.Index", {"name": "", "unique": False, "parts": []},
                  {"parts": GoStruct("cmdlog.IndexPart",
                                     {"desc": False, "column": "", "expr": ""})})
_TABLE = GoStruct(
    "cmdlog.Table",
    {**_ATTRS, "columns": [], "indexes": [], "primary_key": None, "foreign_keys": []},
    {"columns": GoStruct("cmdlog.Column", {**_ATTRS, "type": "", "null": False}),
     "indexes": _INDEX, "primary_key": _INDEX,
     "foreign_keys": GoStruct("cmdlog.ForeignKey", {"columns": []},
                              {"references": GoStruct("struct { Table string; Columns "
                                                      "[]string }", {"columns": []})})})

SCHEMA_INSPECT = GoStruct(
    "*cmdlog.SchemaInspect", {"schemas": []},
    {"schemas": GoStruct("cmdlog.Schema", {**_ATTRS, "tables": []}, {"tables": _TABLE})})
