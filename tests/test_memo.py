"""The size-bounded memo shared by a page server's sessions (core.memo.SizedLRU): table of operations per case."""
import threading

import pytest

from core.memo import SizedLRU

CASES = [  # (budget in bytes, operations: ("put", key, size) or ("get", key), keys kept at the end, bytes held)
    (10, [("put", "a", 4), ("put", "b", 4)], ["a", "b"], 8),
    (10, [("put", "a", 4), ("put", "b", 4), ("put", "c", 4)], ["b", "c"], 8),  # the oldest goes first
    (10, [("put", "a", 4), ("put", "b", 4), ("get", "a"), ("put", "c", 4)], ["a", "c"], 8),  # a read keeps it
    (10, [("put", "a", 30)], ["a"], 30),  # the newest is kept even when it alone is over the budget
    (10, [("put", "a", 4), ("put", "big", 30)], ["big"], 30),
    (10, [("put", "a", 4), ("put", "a", 9)], ["a"], 4),  # a second value for a kept key is not stored
]


@pytest.mark.parametrize("budget, ops, kept, held", CASES)
def test_operations(budget, ops, kept, held):
    memo = SizedLRU(budget, size=lambda v: v[1])
    for op in ops:
        if op[0] == "put":
            memo.put(op[1], (op[1], op[2]))
        else:
            memo.get(op[1])
    assert [k for k in kept if memo.get(k) is not None] == kept and len(memo) == len(kept)
    assert memo.nbytes == held


def test_get_or_make_makes_once_and_threads_agree():
    memo, made = SizedLRU(1000, size=lambda v: 1), []
    results = []

    def worker():
        results.append(memo.get_or_make("k", lambda: made.append(1) or object()))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(r) for r in results}) == 1  # every caller got the one value kept
    assert memo.get_or_make("k", lambda: pytest.fail("made again")) is results[0]
