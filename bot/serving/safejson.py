"""JSON from the network with a nesting limit: a body nested 1,000 deep is a 400, not a RecursionError."""

from __future__ import annotations

import json

MAX_DEPTH = 32  # the deepest real payload (a Teams activity with an Adaptive Card) is under 15


class TooDeep(ValueError):
    pass


def loads(body: bytes | str, max_depth: int = MAX_DEPTH):
    """json.loads, refusing (ValueError) input nested deeper than `max_depth` before parsing it."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if raw.count(b"[") + raw.count(b"{") > max_depth and _depth(raw) > max_depth:
        raise TooDeep(f"JSON nested deeper than {max_depth}")
    try:
        return json.loads(body)
    except RecursionError as exc:  # belt and braces: never a 500
        raise TooDeep("JSON nested too deep") from exc


def _depth(raw: bytes) -> int:
    """Deepest bracket nesting outside strings, in one pass."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest
