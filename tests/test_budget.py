from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pixparam as pp
from pixparam.budget import mlp_count

BUDGETS = [1_000, 2_048, 4_096, 10_000, 16_384, 65_536, 262_144, 1_000_000]


@pytest.mark.parametrize("family", pp.FAMILIES)
@pytest.mark.parametrize("budget", BUDGETS)
def test_count_is_exact_and_within_3_percent(family, budget):
    arch = pp.plan(budget, family, channels=3)
    model = pp.build(arch, seed=0)
    assert pp.n_trainable(model) == arch.n_params
    assert 0.97 * budget <= arch.n_params <= budget


@pytest.mark.parametrize("family", pp.FAMILIES)
@pytest.mark.parametrize("channels", [1, 4])
def test_count_exact_for_other_channels(family, channels):
    arch = pp.plan(5_000, family, channels=channels)
    assert pp.n_trainable(pp.build(arch)) == arch.n_params <= 5_000


@pytest.mark.slow
@pytest.mark.parametrize("family", pp.FAMILIES)
def test_ten_million(family):
    arch = pp.plan("10M", family, channels=3, resolution=1024)
    assert 0.97 * 10_000_000 <= arch.n_params <= 10_000_000
    assert pp.n_trainable(pp.build(arch)) == arch.n_params


@settings(max_examples=60, deadline=None)
@given(budget=st.integers(1_000, 10_000_000), family=st.sampled_from(pp.FAMILIES), channels=st.sampled_from([1, 3, 4]))
def test_plan_never_exceeds_and_fills(budget, family, channels):
    arch = pp.plan(budget, family, channels=channels, resolution=1024)
    assert 0.97 * budget <= arch.n_params <= budget


@pytest.mark.parametrize("family", ["siren", "fourier", "relu"])
@pytest.mark.parametrize("depth", [1, 2, 4])
def test_tiny_budgets_never_exceed(family, depth):
    for budget in range(5, 400):
        try:
            arch = pp.plan(budget, family, depth=depth)
        except pp.BudgetError as exc:
            assert "below the minimum" in str(exc)
            continue
        assert arch.n_params <= budget


def test_plan_is_the_most_params_for_mlp_families():
    # No uniform-width net of the same depth fits more params than plan's choice.
    for budget in (1_000, 5_000, 33_333):
        arch = pp.plan(budget, "relu", depth=3)
        best_uniform = max(mlp_count(2, [w] * 3, 3) for w in range(1, 200) if mlp_count(2, [w] * 3, 3) <= budget)
        assert arch.n_params >= best_uniform


def test_siren_counts_by_hand():
    arch = pp.plan(1000, "siren", channels=3, depth=2)
    w1, w2 = arch.widths
    assert arch.n_params == 3 * w1 + (w1 + 1) * w2 + (w2 + 1) * 3


def test_fourier_features_are_fixed_not_counted():
    arch = pp.plan(4096, "fourier")
    model = pp.build(arch, seed=0)
    m = arch.options["n_features"]
    assert model.B.shape == (2, m) and not model.B.requires_grad
    assert arch.n_fixed == 2 * m
    assert "B" in model.state_dict()


def test_hashgrid_dense_levels_and_table():
    arch = pp.plan(65_536, "hashgrid", resolution=64)
    o = arch.options
    assert o["resolutions"][0] == 16 and o["resolutions"][-1] == 64
    assert all(a <= b for a, b in zip(o["resolutions"], o["resolutions"][1:]))
    model = pp.build(arch)
    expected = sum(min(o["table_size"], (n + 1) ** 2) for n in o["resolutions"])
    assert model.table.shape == (expected, o["features_per_level"])


def test_hashgrid_grows_features_when_grid_saturates():
    small = pp.plan(10_000, "hashgrid", resolution=32)
    big = pp.plan(200_000, "hashgrid", resolution=32)
    assert big.options["features_per_level"] > small.options["features_per_level"]
    assert big.n_params >= 0.97 * 200_000


def test_hashgrid_too_big_for_resolution():
    with pytest.raises(pp.BudgetError, match="more than a hash grid for a 16-px image can hold"):
        pp.plan("10M", "hashgrid", resolution=16)


@pytest.mark.parametrize(
    ("family", "kwargs", "match"),
    [
        # widths [2, 2, 2, 1]: 3·2 + 3·2 + 3·2 + 3·1 + 2·3 = 27
        ("siren", {"budget": 10}, "below the minimum of 27 params for siren with depth 4"),
        ("hashgrid", {"budget": 100}, "below the minimum"),
        ("nope", {"budget": 1000}, "unknown family 'nope'"),
        ("siren", {"budget": 1000, "sigma": 3}, "siren has no option sigma"),
        ("siren", {"budget": 1000, "depth": 0}, "depth=0"),
        ("fourier", {"budget": 1000, "sigma": -1}, "sigma=-1"),
        ("siren", {"budget": 1000, "channels": 2}, "channels=2"),
    ],
)
def test_budget_errors(family, kwargs, match):
    with pytest.raises(pp.BudgetError, match=match):
        pp.plan(family=family, **kwargs)


def test_options_are_used():
    assert pp.plan(4096, "siren", depth=2).depth == 2
    assert pp.plan(4096, "siren", omega0=10).options["omega0"] == 10.0
    arch = pp.plan(4096, "fourier", n_features=16, sigma=3)
    assert arch.options["n_features"] == 16 and arch.options["sigma"] == 3.0
    assert pp.plan(100_000, "hashgrid", levels=5).options["levels"] == 5


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4096", 4096),
        ("4k", 4000),
        ("4K", 4000),
        ("1.5M", 1_500_000),
        ("4Ki", 4096),
        ("2Mi", 2**21),
        ("1_000", 1000),
        ("10,000", 10_000),
        (" 64k ", 64_000),
        (4096, 4096),
        (np.int64(7), 7),
        (2e3, 2000),
    ],
)
def test_parse_budget(text, value):
    assert pp.parse_budget(text) == value


@pytest.mark.parametrize("text", ["", "k", "4x", "1.2345k", "-5", "0", "4 kilo", True, 2.5, None])
def test_parse_budget_rejects(text):
    with pytest.raises(pp.BudgetError):
        pp.parse_budget(text)


def test_arch_dict_round_trip():
    for family in pp.FAMILIES:
        arch = pp.plan(3000, family)
        again = pp.Arch.from_dict(arch.to_dict())
        assert again == arch and hash(again) == hash(arch)


def test_format_count():
    assert [pp.format_count(n) for n in (950, 4096, 65_536, 1_500_000)] == ["950", "4.1k", "66k", "1.5M"]
