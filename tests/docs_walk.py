"""Run a Markdown guide as a script: the docs walk behind tests/test_docs_walk.py.

A guide is read as a sequence of fenced blocks, run in order in a scratch project, with shell
state (working directory, exported variables) carried from one block to the next. What the
fence's info string says (the first word is the language, as Markdown renderers read it; the
other words are ignored by them and read here):

* ``bash`` / ``sh``: commands, run with ``bash -e -o pipefail`` (``set -e``: a failing command
  fails the walk). Words:
  - ``exit=N``: the block is run without ``-e`` and its last command must exit ``N``;
  - ``norun``: shown only, never run (placeholders, commands that need another machine); use it
    sparingly, every such block is one the walk cannot keep true.
* ``text`` (or any language with the word ``output``), when it is the next block after a run
  block (prose may stand between them): the output that block prints (stdout and stderr together), compared after
  normalising:
  - runs of spaces are one space, trailing spaces and blank lines at either end are dropped;
  - a fleet's progress lines (``[3/5] sharding_4 ok``, in the order the databases finish) are
    dropped, and the walk's home directory is shown as ``~``;
  - durations (``12.5ms``, ``0.08s``, ``71.927µs``) and timestamps
    (``2026-11-25T22:49:51Z``) are volatile and compared as placeholders;
  - 14-digit migration versions that the walk itself created (not in the example project at the
    start) are volatile as well;
  - ``...`` in the expected text matches any text within its line, and a line that is only
    ``...`` matches any number of lines (``    ...`` indented, too).
* any language with ``file=PATH``: the block's content is written to ``PATH`` (relative to
  the current working directory of the walk); with the word ``append`` it is added before the
  file's last line if that line is a lone ``}`` whose block it names with ``inside=NAME``
  (``inside=table.users``), else at the end.
* every other block (``sql``, ``hcl``, ``json`` without ``output``, plain ``````` blocks) is
  illustration and is not checked.

``ATOLL_DOCS_UPDATE=1`` rewrites the expected outputs with what the walk printed (review the
diff: volatile parts that the normalisation does not cover need a ``...``).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,})(?P<info>[^`\n]*)\n", re.M)


@dataclass
class Block:
    line: int                    # 1-based line of the opening fence
    lang: str
    words: list[str]
    text: str
    start: int                   # offsets of the content in the document
    end: int
    options: dict[str, str] = field(default_factory=dict)

    @property
    def runs(self) -> bool:
        return self.lang in ("bash", "sh") and "norun" not in self.words

    @property
    def is_output(self) -> bool:
        return self.lang == "text" or "output" in self.words


def parse_blocks(doc: str) -> list[Block]:
    blocks = []
    pos = 0
    while True:
        m = FENCE.search(doc, pos)
        if m is None:
            return blocks
        fence = m.group("fence")
        close = re.compile(rf"^ {{0,3}}{fence}`*[ \t]*$", re.M)
        c = close.search(doc, m.end())
        if c is None:
            raise ValueError(f"line {doc.count(chr(10), 0, m.start()) + 1}: unclosed code fence")
        info = m.group("info").split()
        lang = info[0] if info else ""
        words = info[1:]
        options = dict(w.split("=", 1) for w in words if "=" in w)
        blocks.append(Block(doc.count("\n", 0, m.start()) + 1, lang, words,
                            doc[m.end():c.start()], m.end(), c.start(), options))
        pos = c.end()


def commands_of(blocks: list[Block]) -> list[tuple[str, str]]:
    """What two translations of a guide must share: the run and file blocks without their
    comment lines, and the expected outputs."""
    out = []
    for i, b in enumerate(blocks):
        if b.runs or "file" in b.options:
            body = "\n".join(line for line in b.text.splitlines()
                             if not line.lstrip().startswith("#") or "file" in b.options)
            out.append((" ".join(w for w in [b.lang, *b.words]), body.strip()))
        elif b.is_output and i > 0 and blocks[i - 1].runs:
            out.append(("output", b.text.strip()))
    return out


# --- comparing ---------------------------------------------------------------------------

_DURATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h)(?:\d+(?:\.\d+)?(?:ms|s))?"
                       r"(?![\w])")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_VERSION = re.compile(r"(?<!\d)\d{14}(?!\d)")
_PROGRESS = re.compile(r"^\[\d+/\d+\] ")  # a fleet's progress lines come in any order


def normalise(text: str, fixed_versions: frozenset[str]) -> str:
    text = _TIMESTAMP.sub("<time>", text)
    text = _VERSION.sub(lambda m: m.group(0) if m.group(0) in fixed_versions else "<version>",
                        text)
    text = _DURATION.sub("<d>", text)
    lines = [re.sub(r" {2,}", " ", line.rstrip()) for line in text.splitlines()
             if not _PROGRESS.match(line)]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def matches(expected: str, actual: str) -> bool:
    parts = []
    for line in expected.split("\n"):
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
            continue
        pieces = [re.escape(p) for p in line.split("...")]
        parts.append(r"[^\n]*?".join(pieces) + r"\n")
    return re.fullmatch("".join(parts), actual + "\n", re.S) is not None


# --- running -----------------------------------------------------------------------------

@dataclass
class Failure:
    doc: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: {self.message}"


class Walk:
    """One scratch project in which a guide's blocks run in order."""

    def __init__(self, home: Path, cwd: Path, env: dict[str, str],
                 fixed_versions: frozenset[str]):
        self.home = home
        self.state = home / ".docs-walk-state"
        self.cwd_file = home / ".docs-walk-cwd"
        self.cwd_file.write_text(str(cwd))
        self.state.write_text("")
        self.env = env
        self.fixed_versions = fixed_versions

    def run(self, block: Block) -> tuple[int, str]:
        strict = "exit" not in block.options
        script = "\n".join([
            f"source {shlex.quote(str(self.state))} 2>/dev/null",
            f'cd "$(cat {shlex.quote(str(self.cwd_file))})"',
            "set -o pipefail" + ("; set -e" if strict else ""),
            block.text,
            "__walk_rc=$?",
            # exported variables, and the shell's own lower-case ones (version=...)
            f"{{ export -p; declare -p | grep -E '^declare -- [a-z_][a-zA-Z0-9_]*='; }}"
            f" > {shlex.quote(str(self.state))}",
            f"pwd > {shlex.quote(str(self.cwd_file))}",
            "exit $__walk_rc",
        ])
        proc = subprocess.run(["bash", "-c", script], env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=300)
        return proc.returncode, proc.stdout.decode("utf-8", "replace")

    def write(self, block: Block) -> None:
        cwd = Path(self.cwd_file.read_text().strip())
        path = cwd / os.path.expanduser(block.options["file"])
        if "append" in block.words and path.exists():
            current = path.read_text()
            inside = block.options.get("inside")
            if inside:
                kind, _, name = inside.partition(".")
                head = re.search(rf'^{re.escape(kind)} "{re.escape(name)}" {{\n', current, re.M)
                if head is None:
                    raise AssertionError(f"{path}: no block {kind} \"{name}\" to append into")
                close = re.compile(r"^}\n", re.M).search(current, head.end())
                current = current[:close.start()] + block.text + current[close.start():]
            else:
                current = current + ("" if current.endswith("\n") else "\n") + block.text
            path.write_text(current)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.text)


def walk(doc_path: Path, project: Path, env: dict[str, str], update: bool = False
         ) -> list[Failure]:
    """Run every block of ``doc_path`` in ``project`` (the checkout root of a scratch copy);
    returns the failures (the walk stops at the first block that does not run)."""
    doc = doc_path.read_text()
    blocks = parse_blocks(doc)
    fixed = frozenset(_VERSION.findall(" ".join(
        p.name for p in project.rglob("*.sql"))))
    home = Path(env["HOME"])
    w = Walk(home, project, env, fixed)
    failures: list[Failure] = []
    replacements: list[tuple[Block, str]] = []
    for i, b in enumerate(blocks):
        if "file" in b.options:
            w.write(b)
            continue
        if not b.runs:
            continue
        code, out = w.run(b)
        out = out.replace(str(home), "~")
        want = int(b.options.get("exit", "0"))
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        expected = nxt if nxt is not None and nxt.is_output else None
        if code != want:
            failures.append(Failure(doc_path, b.line, f"exit {code}, expected {want}; output:\n"
                                    + out[-3000:]))
            break
        if expected is not None:
            exp, act = normalise(expected.text, fixed), normalise(out, fixed)
            if not matches(exp, act):
                if update:
                    replacements.append((expected, out))
                else:
                    failures.append(Failure(doc_path, expected.line,
                                            "output differs (ATOLL_DOCS_UPDATE=1 rewrites it)\n"
                                            f"--- expected\n{exp}\n--- actual\n{act}"))
    if update and replacements:
        for block, out in sorted(replacements, key=lambda r: -r[0].start):
            text = "".join(line for line in out.splitlines(keepends=True)
                           if not _PROGRESS.match(line))
            text = text if text.endswith("\n") else text + "\n"
            doc = doc[:block.start] + text + doc[block.end:]
        doc_path.write_text(doc)
    return failures
