from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

import pixparam as pp
from pixparam.store import checkpoint


@pytest.mark.parametrize("family", pp.FAMILIES)
def test_round_trip_renders_identically(tiny_fits, tmp_path, family):
    f = tiny_fits[family]
    path = f.save(tmp_path / f"{family}.safetensors")
    g = pp.load(path, device="cpu")
    assert g.arch == f.arch and g.image_shape == f.image_shape
    assert np.array_equal(g.render(), f.render())
    assert np.array_equal(g.render(size=50), f.render(size=50))
    assert g.metrics == pytest.approx(f.metrics)
    assert g.history.to_dict() == f.history.to_dict()
    assert g.config == f.config and g.image is None
    assert g.psnr == pytest.approx(f.psnr)


def test_file_holds_parameters_and_metadata(tiny_fits, tmp_path):
    f = tiny_fits["fourier"]
    path = f.save(tmp_path / "m.safetensors")
    from safetensors import safe_open

    with safe_open(str(path), "pt") as fh:
        meta = json.loads(fh.metadata()["pixparam"])
        n_values = sum(fh.get_tensor(k).numel() for k in fh.keys() if k != "B")
    assert n_values == f.n_params
    assert meta["format"] == "pixparam.fit" and meta["pixparam_version"] == pp.__version__
    assert meta["arch"]["family"] == "fourier" and meta["image_shape"] == [32, 32, 3]


def test_truncated_file(tiny_fits, tmp_path):
    path = tiny_fits["siren"].save(tmp_path / "m.safetensors")
    data = path.read_bytes()
    for cut in (len(data) - 10, 100, 5):
        path.write_bytes(data[:cut])
        with pytest.raises(pp.CheckpointError, match="truncated"):
            pp.load(path)


def test_foreign_files(tmp_path):
    other = tmp_path / "other.safetensors"
    save_file({"w": torch.zeros(3)}, str(other), metadata={"format": "pt"})
    with pytest.raises(pp.CheckpointError, match="not a pixparam checkpoint"):
        pp.load(other)
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x00" * 64)
    with pytest.raises(pp.CheckpointError, match="not a readable safetensors file"):
        pp.load(junk)
    with pytest.raises(pp.CheckpointError, match="does not exist"):
        pp.load(tmp_path / "missing.safetensors")


def test_newer_format_refused(tiny_fits, tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoint, "FORMAT_VERSION", 99)
    path = tiny_fits["relu"].save(tmp_path / "new.safetensors")
    monkeypatch.undo()
    with pytest.raises(pp.CheckpointError, match=r"format 99.*upgrade pixparam"):
        pp.load(path)


def test_mismatched_weights(tiny_fits, tmp_path):
    f = tiny_fits["relu"]
    path = f.save(tmp_path / "m.safetensors")
    from safetensors import safe_open

    with safe_open(str(path), "pt") as fh:
        meta = fh.metadata()
        tensors = {k: fh.get_tensor(k) for k in fh.keys()}
    tensors.pop(next(iter(tensors)))
    save_file(tensors, str(path), metadata=meta)
    with pytest.raises(pp.CheckpointError, match="do not match"):
        pp.load(path)


def test_save_is_atomic(tiny_fits, tmp_path, monkeypatch):
    path = tiny_fits["siren"].save(tmp_path / "m.safetensors")
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    import safetensors.torch

    monkeypatch.setattr(safetensors.torch, "save", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        tiny_fits["relu"].save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]


def test_atomic_write_cleans_up_on_failure(tmp_path):
    from pixparam._io import atomic_path

    with pytest.raises(KeyboardInterrupt), atomic_path(tmp_path / "x.bin") as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        pp.save_image(np.zeros((4, 4, 3)), tmp_path / "no" / "dir.png")


@pytest.mark.parametrize("family", ["siren", "hashgrid"])
def test_checkpoints_of_the_previous_release_keep_loading(family):
    # Written by pixparam at ceb44a4 (before the training/ and store/ packages): pruned, then quantised per channel.
    data = Path(__file__).parent / "data"
    f = pp.load(data / f"v0-{family}.safetensors", device="cpu")
    with np.load(data / "v0-renders.npz") as z:
        expected = z[family]
    assert f.family == family and f.image_shape == (16, 16, 1)
    assert [e["name"] for e in f.edits] == ["prune", "quantize"] and f.masks and f.grids
    # The renders were saved on another CPU: float32 kernels differ by an ulp between instruction sets (AVX2,
    # AVX-512), so equal to 1e-6; a misread weight, mask or grid moves a render by orders of magnitude more.
    np.testing.assert_allclose(f.render(), expected, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(f.render(), f.render())  # and on one machine, bit for bit
    assert pp.training.TrainConfig.from_dict(f.config).steps == 5  # its settings read back as a config
