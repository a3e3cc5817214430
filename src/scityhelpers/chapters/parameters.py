"""Notebook parameters: declared once, validated before papermill runs anything.

Each chapter's analysis module declares ``PARAMS``; :func:`validate` checks names, types and
ranges (ranges come from the data, so a new edition widens them automatically) and raises
``ParameterError`` listing the valid values. Notebooks call it in their first code cell too,
so a direct ``papermill -p`` run is checked the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scityhelpers.errors import ParameterError


@dataclass(frozen=True)
class Param:
    """One notebook parameter.

    Attributes:
        name: the variable in the ``parameters`` cell.
        kind: ``int``, ``float``, ``str`` or ``list`` (a list of str).
        doc: what it controls, with units.
        allowed: given the other (already merged) values, the valid values.
        bounds: given the other values, the inclusive (low, high) range for numbers.
        parse: reads the value (e.g. ``date.fromisoformat``) and raises ``ValueError`` when
            it is malformed; for values valid by form rather than from a list.
    """

    name: str
    kind: type
    doc: str
    allowed: Callable[[dict[str, Any]], Sequence[Any]] | None = None
    bounds: Callable[[dict[str, Any]], tuple[float, float]] | None = None
    parse: Callable[[Any], Any] | None = None


def _coerce(param: Param, value: Any) -> Any:
    if param.kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if param.kind is list and isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if param.kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _check_one(param: Param, value: Any, values: dict[str, Any]) -> None:
    if not isinstance(value, param.kind) or isinstance(value, bool):
        raise ParameterError(
            f"parameter {param.name!r} must be {param.kind.__name__}, got "
            f"{type(value).__name__} {value!r} ({param.doc})"
        )
    if param.kind is list and not value:
        raise ParameterError(
            f"parameter {param.name!r} is an empty list; give at least one value, "
            f"comma-separated ({param.doc})"
        )
    if param.parse is not None:
        try:
            param.parse(value)
        except ValueError as error:
            raise ParameterError(
                f"parameter {param.name!r} = {value!r} is not valid ({error}) ({param.doc})"
            ) from error
    if param.allowed is not None:
        allowed = list(param.allowed(values))
        items = value if param.kind is list else [value]
        bad = [item for item in items if item not in allowed]
        if bad:
            raise ParameterError(
                f"parameter {param.name!r}: {bad if param.kind is list else value!r} not valid; "
                f"valid values: {_short(allowed)} ({param.doc})"
            )
    if param.bounds is not None:
        low, high = param.bounds(values)
        if not low <= value <= high:
            raise ParameterError(
                f"parameter {param.name!r} = {value!r} is outside the data's range "
                f"[{low}, {high}] ({param.doc})"
            )


def _short(values: list[Any]) -> str:
    if len(values) > 12 and all(isinstance(v, int) for v in values):
        return f"{values[0]}…{values[-1]} ({len(values)} values: {values})"
    return str(values)


def validate(params: Sequence[Param], given: dict[str, Any],
             defaults: dict[str, Any]) -> dict[str, Any]:
    """Merge ``given`` over ``defaults`` and check every value; return the merged dict.

    Raises:
        ParameterError: unknown name, wrong type, or value outside the valid set/range.
    """
    known = {p.name: p for p in params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {unknown}; this notebook takes: {sorted(known)}"
        )
    values = {**defaults, **{k: _coerce(known[k], v) for k, v in given.items()}}
    # the values the user gave first: a bad one is named itself, not through a parameter
    # whose valid range it narrowed (``end_year=1800`` leaves no valid ``start_year``)
    ordered = sorted(params, key=lambda p: p.name not in given)
    for param in ordered:
        try:
            _check_one(param, values[param.name], values)
        except ParameterError as error:
            if param.name in given or not given:
                raise
            chosen = ", ".join(f"{k}={values[k]!r}" for k in sorted(given))
            raise ParameterError(
                f"{error}; this follows from the value(s) given ({chosen}): change those"
            ) from error
    return values


def check(params: Sequence[Param], **values: Any) -> dict[str, Any]:
    """Validate a notebook's current parameter values (first code cell of every notebook)."""
    return validate(params, values, {})


def defaults_of(params: Sequence[Param], notebook_defaults: dict[str, Any]) -> dict[str, Any]:
    """Return the notebook's defaults restricted to the declared parameters."""
    return {p.name: notebook_defaults[p.name] for p in params if p.name in notebook_defaults}
