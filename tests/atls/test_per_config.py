"""``PerConfig``: values remembered per configuration object, never across configurations."""

from __future__ import annotations

from atls.config import PerConfig, TLSConfig


def test_values_are_kept_per_configuration_object_and_key() -> None:
    memo: PerConfig[str, int] = PerConfig(8)
    first, second = TLSConfig(), TLSConfig()
    assert first == second and first is not second  # equal values, distinct objects
    assert memo.get(first, "k") == (False, None)
    memo.put(first, "k", 1)
    assert memo.get(first, "k") == (True, 1)
    assert memo.get(first, "other") == (False, None)
    assert memo.get(second, "k") == (False, None)  # another object: nothing shared


def test_a_remembered_none_is_found() -> None:
    memo: PerConfig[str, int | None] = PerConfig(8)
    config = TLSConfig()
    memo.put(config, "k", None)
    assert memo.get(config, "k") == (True, None)


def test_the_table_is_bounded() -> None:
    memo: PerConfig[int, int] = PerConfig(4)
    config = TLSConfig()
    for key in range(10):
        memo.put(config, key, key)
        assert memo.get(config, key) == (True, key)
    assert memo.get(config, 0) == (False, None)  # emptied when it filled up
