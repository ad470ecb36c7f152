from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate_cli.batching import plan_batches, unique


def test_unique_keeps_first_seen_order_and_maps_back():
    keys = ["b", "a", "b", "c", "a"]
    distinct, where = unique(keys)
    assert distinct == ["b", "a", "c"]
    assert [distinct[i] for i in where] == keys


@given(st.lists(st.integers(min_value=1, max_value=600), max_size=200), st.integers(1, 4096))
def test_plan_batches_covers_each_index_once_within_budget(lengths, budget):
    batches = plan_batches(lengths, budget)
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(len(lengths)))
    for batch in batches:
        longest = max(lengths[i] for i in batch)
        assert len(batch) == 1 or len(batch) * longest <= budget


def test_plan_batches_sorts_by_length_descending():
    lengths = [3, 50, 7, 49, 4, 8]
    batches = plan_batches(lengths, budget=100)
    order = [lengths[i] for b in batches for i in b]
    assert order == sorted(lengths, reverse=True)
    assert batches[0] == [1, 3]  # 2 x 50 = 100 fits, a third would not


@pytest.mark.parametrize("budget", [1, 10])
def test_item_longer_than_budget_gets_its_own_batch(budget):
    assert plan_batches([500, 500], budget) == [[0], [1]]
