"""A small in-process LRU for lot stories and their rendered HTML, keyed by ``StoryKey``.

A packaged lot's journey never changes once it is packaged; what can change (a recall, a shipment, a new
certificate) moves the key, so a stale entry is never read again and simply ages out. Each gunicorn worker
keeps its own; a miss costs one story build (a handful of indexed queries).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["LRU"]

V = TypeVar("V")


class LRU(Generic[V]):
    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        value = make()  # outside the lock: two threads may build the same entry once; both are equal
        with self._lock:
            self.misses += 1
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def peek(self, key: Hashable) -> V | None:
        """The entry for ``key`` if there is one (counted as a hit), else None: nothing is built."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
