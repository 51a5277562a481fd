from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import pixparam as pp
from pixparam.cli import main


def run(capsys, command, *paths):
    """Run ``pixparam COMMAND PATHS...`` in-process; paths are appended as arguments."""
    code = main([*command.split(), *map(str, paths)])
    out, err = capsys.readouterr()
    return code, out, err


def test_fit_render_info(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    code, out, err = run(
        capsys,
        "fit camera --size 24 --budget 1.5k --family relu --steps 20 -q --render",
        tmp_path / "fit.png",
        "-o",
        model,
    )
    assert code == 0, err
    assert "relu" in out and "PSNR" in out and model.exists()
    assert pp.load_image(tmp_path / "fit.png").shape == (24, 24, 1)

    code, out, err = run(capsys, "render --size 40x30 -o", tmp_path / "big.png", model)
    assert code == 0, err
    assert pp.load_image(tmp_path / "big.png").shape == (40, 30, 1)
    np.testing.assert_allclose(
        pp.load_image(tmp_path / "fit.png"), np.round(pp.load(model).render() * 255) / 255, atol=1e-6
    )

    code, out, _ = run(capsys, "info", model)
    assert code == 0 and "relu" in out and "PSNR" in out


def test_fit_options_reach_plan(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    code, _, err = run(
        capsys,
        "fit camera --size 16 --budget 2k --family fourier --depth 2 --option sigma=3 --steps 2 -q -o",
        model,
    )
    assert code == 0, err
    arch = pp.load(model).arch
    assert arch.depth == 2 and arch.options["sigma"] == 3.0


def test_fit_compile_flag_reaches_fit(tmp_path, capsys, monkeypatch):
    import torch

    compiled = []
    monkeypatch.setattr(torch, "compile", lambda fn: compiled.append(fn) or fn)  # no compiler time in this test
    model = tmp_path / "m.safetensors"
    code, _, err = run(capsys, "fit camera --size 16 --budget 1k --steps 2 --compile -q -o", model)
    assert code == 0, err
    assert len(compiled) == 1 and pp.load(model).config["compile"] is True


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit", "nosuchimage.png", "--budget", "1k"], "does not exist"),
        (["fit", "camera", "--budget", "5", "--steps", "1"], "below the minimum"),
        (["fit", "camera", "--budget", "1k", "--option", "zoom=2", "--steps", "1"], "no option zoom"),
        (["fit", "camera", "--size", "16", "--budget", "1k", "--steps", "0"], "steps=0"),
        (["fit", "camera", "--size", "16", "--budget", "1k", "--device", "cuda:7", "--steps", "1"], "cuda"),
        (["render", "missing.safetensors", "-o", "x.png"], "does not exist"),
    ],
)
def test_errors_are_one_line(capsys, argv, message):
    code, _, err = run(capsys, " ".join(argv))
    assert code == 1
    assert err.startswith("pixparam: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_output_folder_missing(tmp_path, capsys):
    code, _, err = run(capsys, "fit camera --size 16 --budget 1k --steps 1 -q -o", tmp_path / "nope" / "m.safetensors")
    assert code == 1 and "create it first" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ("compare camera --size 16 --budgets 300 --families relu --steps 1 -q -o {tmp}/f.doc", "f.doc"),  # OutputError
        ("curve camera --size 16 --budgets 300 --families relu -q -o {tmp}/no/c.png", "create it first"),  # OutputError
        ("compare camera --size 16 --budgets 300 --families relu --steps 0 -q -o {tmp}/f.png", "--steps 0"),  # Config
        ("experiment crowding --size 8 --steps 2,3 -q", "one step count"),  # ConfigError
    ],
)
def test_config_and_output_errors_are_one_line(tmp_path, capsys, argv, message):
    code, _, err = run(capsys, argv.format(tmp=tmp_path))
    assert code == 1
    assert err.startswith("pixparam: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv", [["fit", "camera", "--budget", "lots"], ["demo", "--families", "siren,cnn"], []])
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_demo(tmp_path, capsys):
    out_png = tmp_path / "demo.png"
    code, out, err = run(capsys, "demo --size 16 --budgets 300,600 --families siren,hashgrid --steps 5 -q -o", out_png)
    assert code == 0, err
    assert "pixels" in out and "siren" in out and "hashgrid" in out and out_png.exists()
    from PIL import Image

    with Image.open(out_png) as im:
        assert im.format == "PNG" and im.width > 200


def test_samples_listed(capsys):
    code, out, _ = run(capsys, "info --samples")
    assert code == 0 and "astronaut" in out


def test_python_dash_m():
    res = subprocess.run([sys.executable, "-m", "pixparam", "--version"], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == f"pixparam {pp.__version__}"


@pytest.fixture(scope="module")
def saved_pair(tmp_path_factory):
    d = tmp_path_factory.mktemp("edit")
    img = pp.load_image("astronaut", size=16)
    a = pp.fit(img, 600, "hashgrid", steps=10, progress=False)
    b = pp.fit(img, a.arch, steps=5, seed=1, init_from=a, progress=False)
    return a.save(d / "a.safetensors"), b.save(d / "b.safetensors")


@pytest.mark.parametrize(
    "op",
    [
        "prune 0.8",
        "prune 0.5 --method neurons",
        "quantize 4 --per-channel",
        "noise 0.1 --seed 3",
        "blend {b} 0.5",
        "splice {b} --layers table,0 --no-align",
        "splice {b} --neurons 0.5",
        "splice {b} --region 0,0,8,8",
        "heal --steps 3",
    ],
)
def test_edit_commands(tmp_path, capsys, saved_pair, op):
    a, b = saved_pair
    out, png = tmp_path / "e.safetensors", tmp_path / "e.png"
    argv = f"edit {a} --image astronaut --size 16 -o {out} --render {png} " + op.format(b=b)
    code, stdout, err = run(capsys, argv)
    assert code == 0, err
    assert "PSNR" in stdout and "non-zero" in stdout and out.exists() and png.exists()
    edited = pp.load(out)
    assert edited.edits[-1]["name"] == op.split()[0]
    np.testing.assert_allclose(pp.load_image(png), np.round(edited.render() * 255) / 255, atol=1e-6)


@pytest.mark.parametrize(
    ("op", "message"),
    [
        ("prune 1.5", "amount=1.5"),
        ("quantize 1", "bits=1"),
        ("heal --steps 2", "--image"),
        ("splice {other} --layers 0", "same architecture"),
        ("blend missing.safetensors 0.5", "does not exist"),
    ],
)
def test_edit_errors_are_one_line(tmp_path, capsys, saved_pair, op, message):
    a, _ = saved_pair
    img = pp.load_image("astronaut", size=16)
    other = pp.fit(img, 300, "relu", steps=1, progress=False).save(tmp_path / "o.safetensors")
    code, _, err = run(capsys, f"edit {a} " + op.format(other=other))
    assert code == 1
    assert err.startswith("pixparam: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_compare_and_curve_write_figures(tmp_path, capsys):
    fig = tmp_path / "cmp.png"
    code, out, err = run(capsys, "compare camera --size 24 --budgets 1k,300 --families siren,relu --steps 5 -q -o", fig)
    assert code == 0, err
    assert fig.read_bytes().startswith(b"\x89PNG") and "wrote" in out
    curve, records = tmp_path / "curve.svg", tmp_path / "r.json"
    code, out, err = run(
        capsys, "curve astronaut --size 24 --budgets 300,1k --families relu --steps 5 -q --json", records, "-o", curve
    )
    assert code == 0, err
    assert curve.read_bytes().startswith(b"<?xml")
    import json

    data = json.loads(records.read_text())
    assert {r["series"] for r in data["records"]} >= {"relu", "pixels/values", "pixels/bits32", "jpeg/bits32"}
    assert "relu vs pixels at equal values" in out


def test_curve_packed_on_bytes(tmp_path, capsys):
    import json

    curve, records = tmp_path / "curve.png", tmp_path / "r.json"
    cmd = "curve astronaut --size 24 --budgets 300 --families relu --steps 5 -q --packed-bits 8 --qat-steps 2 --x bytes"
    code, _, err = run(capsys, cmd, "--json", records, "-o", curve)
    assert code == 0, err
    series = {r["series"] for r in json.loads(records.read_text())["records"]}
    assert {"relu/packed8", "jpeg/packed8", "pixels/png-packed8"} <= series
    start = pp.training.networks_trained()
    bad = "curve camera --size 16 --budgets 300 --families relu -q -o"
    with pytest.raises(SystemExit) as exc:
        main([*bad.split(), str(curve), "--packed-bits", "17"])
    assert exc.value.code == 2 and "pack takes 2 to 15" in capsys.readouterr().err
    code, _, err = run(capsys, bad, curve, "--packed-bits", "8", "--qat-steps", "0")
    assert code == 1 and err == "pixparam: error: --qat-steps 0: it must be at least 1\n"
    assert pp.training.networks_trained() == start  # refused before any fit


def test_cache_reuses_fits(tmp_path, capsys):
    start = pp.training.networks_trained()
    cmd = "compare camera --size 24 --budgets 300,600 --families relu --steps 5 -q --cache"
    code, out, err = run(capsys, cmd, tmp_path / "cache", "-o", tmp_path / "a.png")
    assert code == 0, err
    assert pp.training.networks_trained() == start + 2 and "0 of 2 fits reused" in out
    assert len(list((tmp_path / "cache").glob("*.safetensors"))) == 2
    code, out, err = run(capsys, cmd, tmp_path / "cache", "-o", tmp_path / "b.png")
    assert code == 0, err
    assert pp.training.networks_trained() == start + 2 and "2 of 2 fits reused" in out  # nothing trained again
    # another seed is another fit
    code, out, err = run(capsys, cmd, tmp_path / "cache", "--seed", "1", "-o", tmp_path / "c.png")
    assert code == 0 and pp.training.networks_trained() == start + 4


# --------------------------------------------------------------------------- experiment


@pytest.mark.parametrize(
    ("name", "args", "expect"),
    [
        ("crowding", "--size 8 --ks 1,2 --budgets 300 --families siren --steps 3", "K=2"),
        ("generalisation", "--size 12 --budgets 60,200 --families siren --steps 3 --seeds 2", "threshold: 72"),
        ("scaling", "--size 12 --budgets 100,200,400 --families siren --steps 2,4", "alpha"),
    ],
)
def test_experiment_commands(tmp_path, capsys, name, args, expect):
    fig, js, table, cache = tmp_path / "f.png", tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "cache"
    argv = f"experiment {name} --image camera {args} --device cpu -q --cache {cache} -o {fig} --json {js} --csv {table}"
    code, out, err = run(capsys, argv)
    assert code == 0, err
    assert expect in out and "reused from the cache" in out
    assert fig.stat().st_size > 1000 and table.exists()
    result = pp.experiments.load_result(js)
    assert result.name == name and result.records and result.meta["trained"] > 0
    code, out, err = run(capsys, argv)
    assert code == 0, err
    assert "0 fits trained" in out


def test_experiment_crowding_stores_k_different_images(tmp_path, capsys):
    """Without --image, crowding stores max(--ks) different samples (none a tuning image), not tiles of one."""
    js = tmp_path / "r.json"
    argv = f"experiment crowding --size 8 --ks 1,3 --budgets 300 --families siren --steps 2 --device cpu -q --json {js}"
    code, out, err = run(capsys, argv)
    assert code == 0, err
    assert "4 fits trained" in out  # K=1: a network per image (3), K=3: one network for all three
    result = pp.experiments.load_result(js)
    assert result.meta["images"] == ["brick", "chelsea", "coffee"] and result.meta["image"] is None
    assert sorted({r["k"] for r in result.records}) == [1, 3]
    code, _, err = run(capsys, f"{argv.replace(str(js), str(tmp_path / 'm.json'))} --images moon,coins,rocket")
    assert code == 0, err
    assert pp.experiments.load_result(tmp_path / "m.json").meta["images"] == ["moon", "coins", "rocket"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "camera", "--steps", "0"], "--steps 0"),
        (["compare", "camera", "--size", "24", "--steps", "1", "-q", "-o", "f.doc"], "cannot save a figure"),
    ],
)
def test_compare_errors_are_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, " ".join(argv))
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ("experiment scaling --size 12 --budgets 5,10,20 --steps 1 -q", "below the minimum"),
        ("experiment crowding --image nosuchimage.png --steps 1 -q", "does not exist"),
        ("experiment generalisation --size 12 --train-fraction 1.5 --steps 1 -q", "strictly between"),
        ("experiment crowding --size 8 --steps 1,2 -q", "one step count"),
        ("experiment crowding --image camera --images brick,coffee --ks 1,2 --steps 1 -q", "not both"),
        ("experiment crowding --images brick,coffee --ks 1,4 --steps 1 -q", "needs 4 different images"),
    ],
)
def test_experiment_errors_are_one_line(capsys, argv, message):
    code, _, err = run(capsys, argv)
    assert code == 1
    assert err.startswith("pixparam: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv", ["experiment nosuch", "experiment scaling --steps 0", "experiment crowding --ks a"])
def test_experiment_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv.split())
    assert exc.value.code == 2
