"""The program language: a small, safe subset of Python read with ``ast`` and never handed to ``exec``/``eval``.

What a program may contain (HELPER's style, arXiv 2310.15127):
- ``x = InteractionObject("Class", landmark="Class", attributes=["word", ...])`` (landmark and attributes optional,
  positional or by keyword), ``x = y`` (another object variable);
- ``x.primitive(y, ...)`` for a primitive of the environment's API, arguments being object variables;
- ``for x in find_all("Class", attributes=[...]):`` and ``for i in range(N)`` (N a literal, at most ``MAX_RANGE``);
- ``if cond:`` / ``else:`` where ``cond`` is ``x.check("word")``, ``not``, ``and``, ``or``, ``True``/``False``;
- ``pass``, comments and string literals (docstrings).
Anything else — imports, ``while``, function or class definitions (so no recursion), other calls (``eval``,
``open``...), attribute access outside the API, names starting with ``_`` — is refused with the line and a reason
the model can act on. Nesting is capped at ``MAX_DEPTH`` blocks, programs at ``MAX_STATEMENTS`` statements.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from msi_agent.agent.program.api import ProgramAPI

CONSTRUCTOR = "InteractionObject"
FIND_ALL = "find_all"
CHECK = "check"
MAX_RANGE = 20
MAX_DEPTH = 4
MAX_STATEMENTS = 200
MAX_CHARS = 8000
_FENCE = re.compile(r"```[a-zA-Z]*\n(.*?)(?:```|\Z)", re.S)


class ProgramError(ValueError):
    """A program that is refused before it runs; ``line`` is 1-based (0: the whole program)."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.reason, self.line = reason, line


@dataclass(frozen=True, slots=True)
class Program:
    source: str
    tree: ast.Module

    @property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    def line(self, number: int) -> str:
        lines = self.lines
        return lines[number - 1].strip() if 0 < number <= len(lines) else ""


def extract(text: str) -> str:
    """The program in a model's reply: the first fenced block if there is one, else the whole reply."""
    m = _FENCE.search(text)
    return (m.group(1) if m else text).strip("\n")


def parse(text: str, api: ProgramAPI) -> Program:
    """Read and check a program; raises ``ProgramError`` naming the first problem."""
    source = extract(text)
    if not source.strip():
        raise ProgramError("the program is empty; write at least one primitive call")
    if len(source) > MAX_CHARS:
        raise ProgramError(f"the program has {len(source)} characters; keep it under {MAX_CHARS}")
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError as exc:
        raise ProgramError(f"syntax error: {exc.msg}", exc.lineno or 0) from None
    except (RecursionError, MemoryError):
        raise ProgramError(f"the program nests too deeply; keep blocks under {MAX_DEPTH} levels") from None
    count = _Checker(api).block(tree.body, depth=0)
    if count > MAX_STATEMENTS:
        raise ProgramError(f"the program has {count} statements; keep it under {MAX_STATEMENTS}")
    return Program(source, tree)


class _Checker:
    def __init__(self, api: ProgramAPI) -> None:
        self.api = api
        self.methods = ", ".join(f"{p.signature}" for p in api.primitives) + f", {CHECK}(attribute)"

    def block(self, body: list[ast.stmt], depth: int) -> int:
        if depth > MAX_DEPTH:
            raise ProgramError(f"blocks nest deeper than {MAX_DEPTH} levels; flatten the program", body[0].lineno)
        return sum(self.statement(s, depth) for s in body)

    def statement(self, node: ast.stmt, depth: int) -> int:
        line = node.lineno
        if isinstance(node, ast.Assign):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
                raise ProgramError("assign to one plain variable name (x = InteractionObject(...))", line)
            self.name(node.targets[0].id, line)
            if isinstance(node.value, ast.Name):
                self.name(node.value.id, line)
            elif _called(node.value, CONSTRUCTOR):
                self.constructor(node.value)  # type: ignore[arg-type]
            else:
                raise ProgramError(f"a variable can only hold {CONSTRUCTOR}(...) or another object variable", line)
            return 1
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return 0  # a docstring or a note
            if not isinstance(node.value, ast.Call):
                raise ProgramError("a statement must be a primitive call like mug.pickup()", line)
            self.primitive_call(node.value)
            return 1
        if isinstance(node, ast.For):
            if node.orelse:
                raise ProgramError("for ... else is not allowed", line)
            if not isinstance(node.target, ast.Name):
                raise ProgramError("loop over one variable: for x in find_all(...)", line)
            self.name(node.target.id, line)
            self.iterable(node.iter)
            return 1 + self.block(node.body, depth + 1)
        if isinstance(node, ast.If):
            self.condition(node.test)
            return 1 + self.block(node.body, depth + 1) + (self.block(node.orelse, depth + 1) if node.orelse else 0)
        if isinstance(node, ast.Pass):
            return 1
        raise ProgramError(_refusal(node), line)

    def name(self, name: str, line: int) -> None:
        if name.startswith("_"):
            raise ProgramError(f"names starting with '_' are not allowed ({name})", line)
        if name in (CONSTRUCTOR, FIND_ALL, "range", "True", "False", "None"):
            raise ProgramError(f"{name} is a reserved name; choose another variable name", line)

    def constructor(self, call: ast.Call) -> None:
        line = call.lineno
        usage = f'{CONSTRUCTOR}("Class", landmark="Class", attributes=["word"])'
        if len(call.args) > 3 or any(k.arg not in ("object_class", "landmark", "attributes") for k in call.keywords):
            raise ProgramError(f"write {usage}", line)
        args: dict[str, ast.expr] = dict(zip(("object_class", "landmark", "attributes"), call.args, strict=False))
        args |= {k.arg: k.value for k in call.keywords if k.arg}
        if "object_class" not in args:
            raise ProgramError(f"{CONSTRUCTOR} needs the object's class first: {usage}", line)
        self.class_name(args["object_class"], line)
        landmark = args.get("landmark")
        if landmark is not None and not (isinstance(landmark, ast.Constant) and landmark.value is None):
            self.class_name(landmark, line)
        if "attributes" in args:
            self.attribute_list(args["attributes"], line)

    def class_name(self, node: ast.expr, line: int) -> None:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier()):
            raise ProgramError('an object class is a quoted word like "Mug"', line)
        if self.api.classes and node.value not in self.api.classes:
            raise ProgramError(f"unknown object class {node.value!r}; classes are listed in the API", line)

    def attribute_list(self, node: ast.expr, line: int) -> None:
        if not isinstance(node, ast.List | ast.Tuple):
            raise ProgramError('attributes are a list of quoted words, e.g. ["clean"]', line)
        for item in node.elts:
            self.attribute(item, line)

    def attribute(self, node: ast.expr, line: int) -> None:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            raise ProgramError('an attribute is a quoted word, e.g. "clean"', line)
        if self.api.attributes and node.value not in self.api.attributes:
            raise ProgramError(f"unknown attribute {node.value!r}; use one of: {', '.join(self.api.attributes)}", line)

    def primitive_call(self, call: ast.Call) -> None:
        line = call.lineno
        func = call.func
        if isinstance(func, ast.Name):
            raise ProgramError(_unknown_function(func.id), line)
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            raise ProgramError("call primitives on an object variable, like mug.pickup()", line)
        self.name(func.value.id, line)
        spec = self.api.primitive(func.attr)
        if spec is None:
            raise ProgramError(
                f"{func.value.id}.{func.attr} is not part of the API; objects offer {self.methods}", line
            )
        if call.keywords or len(call.args) != len(spec.params):
            raise ProgramError(f"{spec.signature} takes {len(spec.params)} object argument(s)", line)
        for arg in call.args:
            if not isinstance(arg, ast.Name):
                raise ProgramError(f"arguments of {spec.name} are object variables, not expressions", line)
            self.name(arg.id, line)

    def iterable(self, node: ast.expr) -> None:
        line = node.lineno
        if _called(node, "range"):
            call: ast.Call = node  # type: ignore[assignment]
            bound = call.args[0] if len(call.args) == 1 and not call.keywords else None
            if not (isinstance(bound, ast.Constant) and type(bound.value) is int and 0 <= bound.value <= MAX_RANGE):
                raise ProgramError(f"range takes one literal number from 0 to {MAX_RANGE}", line)
            return
        if _called(node, FIND_ALL):
            call = node  # type: ignore[assignment]
            if len(call.args) != 1 or any(k.arg != "attributes" for k in call.keywords):
                raise ProgramError(f'write {FIND_ALL}("Class") or {FIND_ALL}("Class", attributes=["word"])', line)
            self.class_name(call.args[0], line)
            for k in call.keywords:
                self.attribute_list(k.value, line)
            return
        raise ProgramError(f"loops go over {FIND_ALL}(...) or range(N) only (so every loop ends)", line)

    def condition(self, node: ast.expr) -> None:
        line = node.lineno
        if isinstance(node, ast.BoolOp):
            for v in node.values:
                self.condition(v)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.condition(node.operand)
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            pass
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == CHECK
            and isinstance(node.func.value, ast.Name)
            and len(node.args) == 1
            and not node.keywords
        ):
            self.name(node.func.value.id, line)
            self.attribute(node.args[0], line)
        else:
            raise ProgramError('a condition is obj.check("word") combined with not/and/or', line)


def _called(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _unknown_function(name: str) -> str:
    if name in ("eval", "exec", "compile", "__import__", "open", "getattr", "setattr", "globals", "locals", "vars"):
        return f"{name}() is not allowed: programs only call the primitives of the API"
    return f"unknown function {name}(); call primitives on objects (mug.pickup()) or use {CONSTRUCTOR}(...)"


def _refusal(node: ast.stmt) -> str:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return "imports are not allowed; programs use only the primitives of the API"
    if isinstance(node, ast.While):
        return "while loops are not allowed (they may never end); loop over find_all(...) or range(N)"
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return "defining functions or classes is not allowed (no recursion); write the steps out"
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return "only plain assignments of objects are allowed"
    return f"{type(node).__name__.lower()} statements are not allowed in programs"
