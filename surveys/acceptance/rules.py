"""The small expression language of automatic checklist rules (no ``eval``).

A rule is an arithmetic/boolean expression over the named facts the survey derives, e.g.
``points * connection_rate`` or ``n_misconnections == 0``. It is parsed with :mod:`ast` and
only these nodes are accepted: numbers and ``True``/``False``, fact names, ``+ - * / // %``,
unary ``-``/``+``/``not``, comparisons (chains too), ``and``/``or``, ``x if c else y`` and
calls of ``min``, ``max``, ``abs``, ``round`` and ``clamp(x, lo, hi)``. Everything else
(attributes, subscripts, strings, lambdas, other calls) is refused when the pack is loaded.

Missing data propagates: a fact that is ``None`` (no plant layer, no answers) makes the
result ``None``, and so does a division by zero; the scorer then says which facts were missing.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from surveys.errors import SurveyError


class AcceptanceError(SurveyError):
    """A problem of the acceptance checklist: a bad pack, rule, answer or score."""


def _clamp(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "clamp": _clamp,
}
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_CMPOPS: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_SYMBOL = {
    ast.Pow: "**",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.MatMult: "@",
}
#: Names an expression may use besides the facts.
RESERVED = frozenset({"points"})


@dataclass(frozen=True)
class Expression:
    """A parsed, checked rule expression.

    Examples
    --------
    >>> e = parse_expression("points * clamp(connection_rate, 0, 1)")
    >>> sorted(e.names), e.evaluate({"points": 10, "connection_rate": 0.85})
    (['connection_rate', 'points'], 8.5)
    >>> parse_expression("n == 0").evaluate({"n": None}) is None
    True
    """

    text: str
    tree: ast.Expression
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """The value of the expression with these facts (None when data is missing).

        Raises
        ------
        AcceptanceError
            A name has no value in ``values`` at all (not even None).
        """
        return _eval(self.tree.body, values, self.text)


def parse_expression(
    text: str, *, known: Collection[str] | None = None, where: str = ""
) -> Expression:
    """Parse and check a rule expression.

    Parameters
    ----------
    text : the expression
    known : the fact names it may use (``points`` is always allowed); None = any name
    where : names the rule in messages (``item N3 of pack.json``)

    Raises
    ------
    AcceptanceError
        A syntax error, a construct outside the language or an unknown fact name.

    Examples
    --------
    >>> try:
    ...     parse_expression("__import__('os')")
    ... except AcceptanceError as exc:
    ...     print(exc.message)
    Rule __import__('os'): only min, max, abs, round, clamp can be called, not __import__.
    """
    src = str(text or "").strip()
    label = f"{where}: rule {src}" if where else f"Rule {src}"
    if not src:
        raise AcceptanceError(f"{where or 'A rule'} has an empty expression.", key=where)
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError as exc:
        raise AcceptanceError(
            f"{label} is not a valid expression ({exc.msg}); write e.g. "
            "points * connection_rate or n_misconnections == 0.",
            key=where,
        ) from exc
    names: set[str] = set()
    for node in ast.walk(tree):
        _check_node(node, label, where)
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS:
            names.add(node.id)
    if known is not None:
        unknown = sorted(n for n in names if n not in known and n not in RESERVED)
        if unknown:
            raise AcceptanceError(
                f"{label} uses unknown fact(s) {', '.join(unknown)}; the survey derives "
                f"{', '.join(sorted(known))}.",
                key=where,
                found=unknown,
            )
    return Expression(src, tree, frozenset(names))


def _check_node(node: ast.AST, label: str, where: str) -> None:
    ok = (
        ast.Expression,
        ast.BoolOp,
        ast.And,
        ast.Or,
        ast.BinOp,
        ast.UnaryOp,
        ast.USub,
        ast.UAdd,
        ast.Not,
        ast.Compare,
        ast.IfExp,
        ast.Call,
        ast.Name,
        ast.Load,
        ast.Constant,
        *_BINOPS,
        *_CMPOPS,
    )
    if isinstance(node, ast.Call):
        fname = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise AcceptanceError(
                f"{label}: only {', '.join(FUNCTIONS)} can be called, not {fname}.", key=where
            )
        if node.keywords:
            raise AcceptanceError(f"{label}: {fname}() takes no keyword arguments.", key=where)
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool | int | float):
            return
        raise AcceptanceError(
            f"{label}: only numbers and True/False may be written, not {node.value!r}.", key=where
        )
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        raise AcceptanceError(f"{label}: the name {node.id} is not allowed.", key=where)
    if not isinstance(node, ok):
        what = _SYMBOL.get(type(node), type(node).__name__)
        raise AcceptanceError(
            f"{label}: {what} is not part of the rule language (numbers, fact names, "
            "+ - * / // %, comparisons, and/or/not, x if c else y, "
            f"{', '.join(FUNCTIONS)}).",
            key=where,
        )


def _eval(node: ast.AST, values: Mapping[str, Any], text: str) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise AcceptanceError(f"Rule {text!r}: no value for {node.id}.", found=node.id)
        v = values[node.id]
        if isinstance(v, float) and math.isnan(v):
            return None
        return v
    if isinstance(node, ast.BinOp):
        a = _eval(node.left, values, text)
        b = _eval(node.right, values, text)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod) and b == 0:
            return None
        return _BINOPS[type(node.op)](a, b)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, values, text)
        if v is None:
            return None
        if isinstance(node.op, ast.Not):
            return not v
        return -v if isinstance(node.op, ast.USub) else +v
    if isinstance(node, ast.BoolOp):
        is_and = isinstance(node.op, ast.And)
        missing = False
        for sub in node.values:
            v = _eval(sub, values, text)
            if v is None:
                missing = True
                continue
            if is_and and not v:
                return False
            if not is_and and v:
                return True
        return None if missing else is_and
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values, text)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, values, text)
            if left is None or right is None:
                return None
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        cond = _eval(node.test, values, text)
        if cond is None:
            return None
        return _eval(node.body if cond else node.orelse, values, text)
    if isinstance(node, ast.Call):
        args = [_eval(a, values, text) for a in node.args]
        if any(a is None for a in args):
            return None
        try:
            return FUNCTIONS[node.func.id](*args)  # type: ignore[attr-defined]
        except TypeError as exc:
            raise AcceptanceError(f"Rule {text!r}: {exc}.") from exc
    raise AcceptanceError(f"Rule {text!r}: cannot evaluate {type(node).__name__}.")
