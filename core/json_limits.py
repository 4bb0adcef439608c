"""JSON from outside, parsed only once it is known to be shallow enough.

Python's json module parses recursively: 50,000 nested brackets (`[[[[…]]]]`, 100 KB) raise
`RecursionError` deep inside the parser (issue 17: a 500 from `POST /api/v1/session` without
credentials). The nesting is measured before parsing instead, at C speed for ordinary bodies.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_JSON_DEPTH = 32  # the deepest API body (an order with an address with a region) is 4
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_OPENERS = frozenset(b"[{")


class JsonTooDeep(ValueError):
    """The document nests arrays/objects deeper than allowed."""


def check_depth(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise JsonTooDeep when `raw` nests deeper than `max_depth` (brackets inside strings do not count)."""
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return  # cannot be deeper than the number of openers: the common case, no scan
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if match.group()[0] in _OPENERS:
            depth += 1
            if depth > max_depth:
                raise JsonTooDeep(f"JSON nested deeper than {max_depth} levels")
        else:
            depth -= 1


def loads_bounded(raw: bytes | str, *, max_depth: int = MAX_JSON_DEPTH, **kwargs: Any) -> Any:
    """`json.loads` after `check_depth`; raises ValueError (JsonTooDeep or JSONDecodeError)."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    check_depth(data, max_depth)
    return json.loads(data, **kwargs)
