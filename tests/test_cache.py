from __future__ import annotations

import pytest
import torch

import pixparam as pp
from pixparam.cache import fit_key


def test_key_changes_with_what_decides_a_fit(gray24):
    base = fit_key(gray24, 500, "relu", steps=5, seed=0)
    assert base == fit_key(gray24, "500", "relu", steps=5, seed=0, device="cpu", progress=False)
    others = [
        fit_key(gray24, 600, "relu", steps=5, seed=0),
        fit_key(gray24, 500, "siren", steps=5, seed=0),
        fit_key(gray24, 500, "relu", steps=6, seed=0),
        fit_key(gray24, 500, "relu", steps=5, seed=1),
        fit_key(gray24, 500, "relu", steps=5, seed=0, lr=1e-3),
        fit_key(gray24, 500, "relu", steps=5, seed=0, depth=2),
        fit_key(gray24[::-1].copy(), 500, "relu", steps=5, seed=0),
    ]
    assert len({base, *others}) == len(others) + 1


def test_cache_loads_what_it_saved(gray24, tmp_path):
    cache = pp.FitCache(tmp_path)
    a = cache.fit(gray24, 500, "relu", steps=5, progress=False)
    assert not cache.has(gray24, 500, "relu", steps=6)
    assert cache.has(gray24, 500, "relu", steps=5)
    b = cache.fit(gray24, 500, "relu", steps=5, progress=False)
    assert (cache.misses, cache.hits) == (1, 1)
    assert b.image is not None and b.psnr == pytest.approx(a.psnr)
    assert all(torch.equal(x, y) for x, y in zip(a.model.state_dict().values(), b.model.state_dict().values()))
    assert len(list(tmp_path.glob("relu-*.safetensors"))) == 1


def test_init_from_is_keyed_by_its_weights(gray24, tmp_path):
    cache = pp.FitCache(tmp_path)
    a = cache.fit(gray24, 500, "relu", steps=3, progress=False)
    c = cache.fit(gray24, 500, "relu", steps=3, seed=1, progress=False)
    k_a = fit_key(gray24, a.arch, steps=3, init_from=a)
    assert k_a == fit_key(gray24, a.arch, steps=3, init_from=cache.fit(gray24, 500, "relu", steps=3, progress=False))
    assert k_a != fit_key(gray24, a.arch, steps=3, init_from=c)


def test_no_folder_always_trains(gray24):
    cache = pp.FitCache(None)
    cache.fit(gray24, 500, "relu", steps=2, progress=False)
    cache.fit(gray24, 500, "relu", steps=2, progress=False)
    assert (cache.misses, cache.hits) == (2, 0)
    assert not cache.has(gray24, 500, "relu", steps=2)


def test_defaults_key_like_omitted_and_log_every_counts(gray24):
    # passing fit's defaults explicitly is the same fit as leaving them out
    assert fit_key(gray24, 500, "relu") == fit_key(gray24, 500, "relu", lr=None, seed=0, steps=None, precision="auto")
    # log_every decides when the best weights are checked, so it changes what fit returns
    assert fit_key(gray24, 500, "relu", steps=100) != fit_key(gray24, 500, "relu", steps=100, log_every=50)
