"""A least-recently-used memo bounded by the size of what it holds (not by a count): shared by every session of a
page server, so that a result asked again is made once, and the memory it may take is known in advance."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable


class SizedLRU:
    """key -> value, dropping the least recently used values once their sizes add up to more than `max_bytes`
    (the newest one is always kept). `size(value)` is the byte count charged for a value. Thread-safe; two threads
    missing the same key may both make the value, and the first one stored is kept."""

    def __init__(self, max_bytes: int, size: Callable[[object], int]):
        self.max_bytes, self._size = max_bytes, size
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        """The value kept for `key`, or None."""
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            self._items.move_to_end(key)
            return hit[0]

    def put(self, key: Hashable, value) -> object:
        """Keep `value` for `key` (unless one is kept already: that one is returned) and return what is kept."""
        n = int(self._size(value))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
            self._items[key] = (value, n)
            self._bytes += n
            while self._bytes > self.max_bytes and len(self._items) > 1:
                self._bytes -= self._items.popitem(last=False)[1][1]
            return value

    def get_or_make(self, key: Hashable, make: Callable[[], object]):
        hit = self.get(key)
        return hit if hit is not None else self.put(key, make())

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
