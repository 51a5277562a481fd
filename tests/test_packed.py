"""Packed files: bit-exact round trips of the quantised fit, real sizes, and refusal of damaged files."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import pixparam as pp


@pytest.mark.parametrize("family", pp.FAMILIES)
@pytest.mark.parametrize(("bits", "per_channel"), [(8, True), (6, False), (4, True), (16, False), (32, True)])
def test_unpack_renders_exactly_what_quantize_renders(tiny_fits, tmp_path, family, bits, per_channel):
    f = tiny_fits[family].to("cpu")
    path = pp.pack(f, tmp_path / "f.ppk", bits=bits, per_channel=per_channel)
    g = pp.unpack(path, device="cpu")
    want = pp.edit.quantize(f, bits, per_channel=per_channel) if bits < 32 else f
    assert np.array_equal(g.render(), want.render()) and np.array_equal(g.render(size=50), want.render(size=50))
    assert g.arch == f.arch and g.image_shape == f.image_shape
    assert g.edits[-1] == {"name": "unpack", "bytes": path.stat().st_size}
    if bits < 16:
        assert set(g.grids) == set(dict(f.model.named_parameters()))
        assert all(grid.bits == bits for grid in g.grids.values())
    assert [p.name for p in tmp_path.iterdir()] == ["f.ppk"]  # written atomically, nothing else left


def test_the_file_is_smaller_than_its_raw_values(tiny_fits, tmp_path):
    f = tiny_fits["hashgrid"]
    sizes = {b: pp.pack(f, tmp_path / f"{b}.ppk", bits=b, per_channel=False).stat().st_size for b in (4, 6, 8, 16, 32)}
    assert sizes[4] < sizes[6] < sizes[8] < sizes[16] < sizes[32]
    assert sizes[8] < f.n_params + 400  # entropy-coded 8-bit indices, a compressed header, one grid per tensor
    assert sizes[32] <= 4 * f.n_params + 400 and sizes[16] <= 2 * f.n_params + 400


def test_pruned_values_cost_a_mask_bit_not_a_value(tiny_fits, tmp_path):
    f = tiny_fits["siren"]
    pruned = pp.edit.prune(f, 0.8)
    full = pp.pack(f, tmp_path / "a.ppk", bits=8).stat().st_size
    sparse = pp.pack(pruned, tmp_path / "b.ppk", bits=8).stat().st_size
    assert sparse < 0.6 * full
    g = pp.unpack(tmp_path / "b.ppk")
    assert np.array_equal(g.render(), pp.edit.quantize(pruned, 8, per_channel=True).render())
    assert g.n_effective == pruned.n_effective and set(g.masks) == set(pruned.masks)
    healed = pp.edit.heal(g, pp.load_image("astronaut", size=32), steps=3, progress=False)  # masks and grids hold
    assert healed.n_effective <= g.n_effective


def test_fixed_features_not_from_the_seed_are_stored(rgb32, tmp_path):
    a = pp.fit(rgb32, 1000, "fourier", steps=3, seed=1, progress=False)
    b = pp.fit(rgb32, a.arch, steps=3, seed=2, init_from=a, progress=False)  # a's frequencies, seed 2
    g = pp.unpack(pp.pack(b, tmp_path / "b.ppk", bits=8))
    assert np.array_equal(g.render(), pp.edit.quantize(b, 8, per_channel=True).render())


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda d: d[:-7], "truncated or altered"),
        (lambda d: d[:10], "truncated or altered"),
        (lambda d: d[:40] + bytes([d[40] ^ 1]) + d[41:], "truncated or altered"),
        (lambda d: b"PK\x03\x04" + d[4:], "not a pixparam packed file"),
        (lambda d: b"", "not a pixparam packed file"),
    ],
)
def test_damaged_files_are_refused(tiny_fits, tmp_path, damage, match):
    path = pp.pack(tiny_fits["relu"], tmp_path / "f.ppk", bits=8)
    bad = tmp_path / "bad.ppk"
    bad.write_bytes(damage(path.read_bytes()))
    with pytest.raises(pp.CheckpointError, match=match):
        pp.unpack(bad)


def test_pack_refuses_bad_bits_and_unpack_missing_files(tiny_fits, tmp_path):
    for bits in (1, 17, 33, 8.0, True):
        with pytest.raises(pp.EditError, match="bits="):
            pp.pack(tiny_fits["relu"], tmp_path / "f.ppk", bits=bits)
    assert not list(tmp_path.iterdir())
    with pytest.raises(pp.CheckpointError, match="does not exist"):
        pp.unpack(tmp_path / "missing.ppk")


def test_qat_fine_tunes_on_the_grid_and_packs_exactly(tiny_fits, rgb32, tmp_path):
    f = tiny_fits["siren"]
    q = pp.edit.qat(f, 6, image=rgb32, steps=15, progress=False)
    assert [e["name"] for e in q.edits] == ["quantize", "heal"] and q.edits[-1]["steps"] == 15
    plain = pp.edit.quantize(f, 6, per_channel=True)
    assert q.psnr > plain.psnr  # fine-tuning on the grid recovers some of the rounding
    for name, p in q.model.named_parameters():  # every value on its grid
        assert torch.equal(q.grids[name].project(p.detach()), p.detach()), name
    g = pp.unpack(pp.pack(q, tmp_path / "q.ppk", bits=6))
    assert np.array_equal(g.render(), q.render())


def _index_spread(fit: pp.Fit) -> float:
    """Mean absolute deviation of every grid index from its tensor's median, over all tensors (what pack codes)."""
    spreads = []
    for name, p in fit.model.named_parameters():
        g = fit.grids[name]
        k = torch.round((p.detach() - g.lo) / g.step)
        spreads.append(float((k - k.median()).abs().mean()))
    return float(np.mean(spreads))


def test_qat_rate_term_narrows_the_coded_indices(tiny_fits, rgb32, tmp_path):
    f = tiny_fits["hashgrid"]
    kw = dict(image=rgb32, steps=40, lr=3e-3, progress=False)
    plain = pp.edit.qat(f, 6, **kw)
    zero = pp.edit.qat(f, 6, rate=0.0, **kw)
    for (name, a), b in zip(plain.model.state_dict().items(), zero.model.state_dict().values()):
        assert torch.equal(a, b), name  # rate=0 is plain QAT, bit for bit
    assert "rate" not in plain.edits[-1]
    squeezed = pp.edit.qat(f, 6, rate=1e-2, **kw)
    assert squeezed.edits[-1]["rate"] == 1e-2
    assert _index_spread(squeezed) < 0.9 * _index_spread(plain)  # the term pulls indices to their median
    for name, p in squeezed.model.named_parameters():  # still on the grids, so it packs exactly
        assert torch.equal(squeezed.grids[name].project(p.detach()), p.detach()), name
    back = pp.unpack(pp.pack(squeezed, tmp_path / "r.ppk", bits=6))
    assert np.array_equal(back.render(), squeezed.render())


@pytest.mark.parametrize("rate", [-1e-3, float("nan"), True])
def test_qat_refuses_a_bad_rate(tiny_fits, rgb32, rate):
    with pytest.raises(pp.EditError, match=r"rate=.*finite number at least 0"):
        pp.edit.qat(tiny_fits["siren"], 6, image=rgb32, steps=5, rate=rate, progress=False)


def test_cli_pack_and_unpack(tiny_fits, tmp_path, capsys):
    from pixparam.cli import main

    ckpt = tiny_fits["relu"].save(tmp_path / "m.safetensors")
    before = ckpt.read_bytes()
    assert main(["pack", str(ckpt), "-o", str(tmp_path / "m.ppk"), "--bits", "6"]) == 0
    n = (tmp_path / "m.ppk").stat().st_size
    assert f"{n:,} B" in capsys.readouterr().out
    assert main(["unpack", str(tmp_path / "m.ppk"), "-o", str(tmp_path / "back.safetensors")]) == 0
    back = pp.load(tmp_path / "back.safetensors")
    assert np.array_equal(back.render(), pp.edit.quantize(tiny_fits["relu"], 6, per_channel=True).render())
    assert main(["pack", str(ckpt), "-o", str(ckpt)]) == 1  # never over its input
    assert "never overwrites an input" in capsys.readouterr().err and ckpt.read_bytes() == before


def test_cli_edit_quantize_writes_a_packed_file(tiny_fits, tmp_path, capsys):
    from pixparam.cli import main

    ckpt = tiny_fits["hashgrid"].save(tmp_path / "m.safetensors")
    out = tmp_path / "q.ppk"
    assert main(["edit", str(ckpt), "quantize", "4", "--per-channel", "-o", str(out)]) == 0
    n = out.stat().st_size
    assert f"packed {out}: {n:,} B" in capsys.readouterr().out
    want = pp.edit.quantize(tiny_fits["hashgrid"], 4, per_channel=True).render()
    assert np.array_equal(pp.unpack(out).render(), want)
    # a packed file holds a quantised network only: other edits are saved as checkpoints
    assert main(["edit", str(ckpt), "prune", "0.5", "-o", str(tmp_path / "p.ppk")]) == 1
    err = capsys.readouterr().err
    assert "a checkpoint is a .safetensors file" in err and len(err.strip().splitlines()) == 1
