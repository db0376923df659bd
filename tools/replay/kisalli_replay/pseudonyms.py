"""Stable pseudonyms for personal fields: HMAC-SHA256 under the analyst's key.

The same value under the same key always gives the same pseudonym, so
analysts can still count and join by person; without the key nobody can
test a guess. Text is NFKC-normalised and case-folded first, as usernames and
emails are compared (DESIGN.md), so one person keeps one pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from functools import cache
from typing import Any

from kisalli_replay.fields import impersonal_name, leaves
from kisalli_shared.contracts import ALL_SERVICES, registry_of
from kisalli_shared.events import JsonDict

REGISTRY = registry_of(*ALL_SERVICES)

Path = tuple[str, ...]


@cache
def personal_paths(type_name: str) -> tuple[Path, ...] | None:
    """Paths of a known event type's personal fields; None for unknown types."""
    if not REGISTRY.knows(type_name):
        return None
    model = REGISTRY.model(type_name)
    return tuple(leaf.path for leaf in leaves(model) if leaf.personal)


class Pseudonymiser:
    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("a pseudonym key must not be empty")
        self._key = key.encode()

    def pseudonym(self, value: Any) -> str:
        if isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).casefold()
        else:
            text = json.dumps(value, sort_keys=True, separators=(",", ":"))
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:32]

    def data(self, type_name: str, raw: str) -> str:
        """The event's data as JSON text, with every personal field replaced."""
        data = json.loads(raw)
        paths = personal_paths(type_name)
        if paths is None:
            self._hide_all_text(data)
        else:
            for path in paths:
                self._hide(data, path)
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    def _hide(self, data: JsonDict, path: Path) -> None:
        *parents, name = path
        for step in parents:
            data = data.get(step)  # type: ignore[assignment]
            if not isinstance(data, dict):
                return
        if data.get(name) is not None:
            data[name] = self.pseudonym(data[name])

    def _hide_all_text(self, node: Any) -> None:
        # An event type we have no model for: hide every text we cannot name.
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            if isinstance(value, dict | list):
                self._hide_all_text(value)
            elif isinstance(value, str) and not (
                isinstance(key, str) and impersonal_name(key)
            ):
                node[key] = self.pseudonym(value)
