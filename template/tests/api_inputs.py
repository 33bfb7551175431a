"""Hypothesis strategies for requests to every operation the app's OpenAPI schema describes.

Owned by the Loopsafe template: `copier update` may change this file.

The requests are what a careless or hostile client sends: path and query values that are
huge, negative, zero or not numbers at all; JSON bodies with the documented fields holding
control characters, lone surrogates, blank or very long strings, or values of the wrong
type; and bodies that are not the documented object at all. Use them to check that no
request gets a 5xx (see tests/test_items.py), so that a route added later is covered too.
"""

import json
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import strategies as st

# NUL (PostgreSQL cannot store it), other control characters, blank and odd whitespace,
# lone surrogates (UTF-8 cannot encode them), and text that looks like markup or SQL.
AWKWARD_STRINGS = [
    "",
    " ",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\t\n",
    "\u2028",
    "\u3000",
    "\ud800",
    "\udfff",
    "\ufeff",
    "'; DROP TABLE x; --",
    "%s",
    "{0}",
]
# Integers around the limits of the usual integer columns (int4, int8) and of zero.
EDGE_INTEGERS = [0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1]


@dataclass(frozen=True)
class Request:
    method: str
    url: str  # path and query, percent-encoded here: httpx would refuse lone surrogates
    body: bytes | None  # JSON, serialised here for the same reason

    def __str__(self) -> str:  # what Hypothesis prints for a failing example
        body = self.body.decode() if self.body is not None else ""
        return f"{self.method} {self.url} {body}"


def operations(openapi: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (method, path) of `openapi` (e.g. `app.openapi()`), to parametrize a test with."""
    return [
        (method.upper(), path)
        for path, item in sorted(openapi["paths"].items())
        for method in sorted(item)
    ]


def requests(openapi: dict[str, Any], method: str, path: str) -> st.SearchStrategy[Request]:
    """Requests to one operation of `openapi`."""
    return _request(openapi, method, path, openapi["paths"][path][method.lower()])


def _request(
    openapi: dict[str, Any], method: str, path: str, operation: dict[str, Any]
) -> st.SearchStrategy[Request]:
    parameters = operation.get("parameters", [])
    in_path = {
        p["name"]: _parameter_value(p.get("schema", {})) for p in parameters if p["in"] == "path"
    }
    in_query = {
        p["name"]: _parameter_value(p.get("schema", {})) for p in parameters if p["in"] == "query"
    }
    body: st.SearchStrategy[bytes | None] = st.none()
    if "requestBody" in operation:
        content = operation["requestBody"].get("content", {}).get("application/json", {})
        body = _body(openapi, content.get("schema", {})).map(
            lambda value: json.dumps(value).encode()  # ensure_ascii: surrogates as \ud800
        )
    return st.builds(
        lambda path_values, query, content: Request(
            method, _url(path, path_values, query), content
        ),
        st.fixed_dictionaries(in_path),
        st.fixed_dictionaries({}, optional=in_query),
        body,
    )


def _url(path: str, path_values: dict[str, str], query: dict[str, str]) -> str:
    """Percent-encoded as UTF-8; a lone surrogate becomes the bytes no decoder accepts."""
    for name, value in path_values.items():
        path = path.replace("{" + name + "}", quote(value, safe="", errors="surrogatepass"))
    if not query:
        return path
    return f"{path}?{urlencode(query, errors='surrogatepass')}"


def _parameter_value(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    """Path and query values arrive as text: numbers of every size, and non-numbers."""
    numbers = st.integers() | st.sampled_from(EDGE_INTEGERS)
    return numbers.map(str) | st.floats().map(str) | _text(schema)


def _text(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    """Any text, often with one of the strings databases and JSON renderers trip on."""
    longest = schema.get("maxLength", 50)
    awkward = st.sampled_from(AWKWARD_STRINGS)
    return st.one_of(
        awkward,
        st.tuples(st.text(max_size=3), awkward, st.text(max_size=3)).map("".join),
        st.text(st.characters() | st.characters(categories=["Cc", "Cs", "Zs"]), max_size=8),
        st.just("x" * longest),
        st.just("x" * (longest + 1)),
    )


def _json_values() -> st.SearchStrategy[Any]:
    # Python's JSON writes (and parses) NaN and Infinity, which JSON itself has not.
    floats = st.floats() | st.sampled_from([math.nan, math.inf, -math.inf])
    scalars = st.none() | st.booleans() | st.integers() | floats | _text({})
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(_text({}), children, max_size=3)
        ),
        max_leaves=6,
    )


def _body(openapi: dict[str, Any], schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """The documented object with values of the right type or any other, or anything."""
    schema = _resolve(openapi, schema)
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    fields = {name: _value(openapi, field) | _json_values() for name, field in properties.items()}
    documented = st.fixed_dictionaries(
        {name: value for name, value in fields.items() if name in required},
        optional={name: value for name, value in fields.items() if name not in required},
    )
    return documented | _json_values()


def _value(openapi: dict[str, Any], schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    schema = _resolve(openapi, schema)
    choices = schema.get("anyOf") or schema.get("oneOf")
    if choices:
        return st.one_of([_value(openapi, choice) for choice in choices])
    kind = schema.get("type")
    if kind == "string":
        return _text(schema)
    if kind == "integer":
        return st.integers() | st.sampled_from(EDGE_INTEGERS)
    if kind == "object":
        return _body(openapi, schema)
    return _json_values()


def _resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    reference = schema.get("$ref")
    if reference is None:
        return schema
    resolved: dict[str, Any] = openapi
    for part in reference.removeprefix("#/").split("/"):
        resolved = resolved[part]
    return resolved
