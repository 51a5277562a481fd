"""Sweeps: specs refused before any work (the line named), resumable runs, the local backend, the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import pixparam as pp
from pixparam.cli import main
from pixparam.sweeps import COLUMNS, read_spec
from pixparam.training import networks_trained

SPEC = """\
images = ["coins", "text"]
size = 16
budgets = [200, 400]
families = "relu"
seeds = [0, 1]
steps = 20
"""


def write(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (SPEC.replace('"relu"', '["relu", "sirne"]'), 4, "unknown family 'sirne'"),
        (SPEC.replace('"text"', '"astronot"'), 1, "unknown image 'astronot'"),
        (SPEC + "colour = true\n", 7, "unknown key 'colour'"),
        (SPEC.replace("steps = 20", 'steps = "many"'), 6, "steps holds 'many'"),
        (SPEC.replace("[0, 1]", "[0, 0]"), 5, "seeds lists 0 twice"),
        (SPEC.replace("[200, 400]", "[200, 4]"), 3, "budget 4 is below the minimum"),
        (SPEC + '\n[[edits]]\nedit = "quantize"\nbits = 8\n\n[[edits]]\nedit = "blur"\n', 13, "unknown edit 'blur'"),
        (SPEC + '\n[[edits]]\nedit = "quantize"\nbits = 99\n', 8, "edit 'quantize' on relu"),
        (SPEC + "\n[options]\ndepth = -3\n", 8, "relu at budget 200"),
    ],
)
def test_a_bad_spec_is_refused_before_any_work_naming_its_line(tmp_path, text, line, words):
    spec = write(tmp_path, text)
    before = networks_trained()
    with pytest.raises(pp.ConfigError) as err:
        pp.sweep(spec, tmp_path / "out", workers=1, progress=False)
    assert f"spec.toml line {line} " in str(err.value) and words in str(err.value), str(err.value)
    assert networks_trained() == before
    assert not (tmp_path / "out" / "results.csv").exists()


def test_invalid_toml_and_missing_keys_are_one_clear_error(tmp_path):
    with pytest.raises(pp.ConfigError, match=r"not valid TOML: .*line 2"):
        read_spec(write(tmp_path, 'images = "coins"\nbudgets = 200 400\n'))
    with pytest.raises(pp.ConfigError, match="no 'budgets'"):
        read_spec({"images": "coins"})
    with pytest.raises(pp.ConfigError, match="does not exist"):
        read_spec(tmp_path / "nope.toml")


def test_the_cli_refuses_a_bad_spec_in_one_line(tmp_path, capsys):
    spec = write(tmp_path, SPEC.replace('"relu"', '"sirne"'))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("pixparam: error: ") and "line 4 (families)" in err


def test_images_may_be_a_folder_read_from_the_spec_folder(tmp_path):
    (tmp_path / "pics").mkdir()
    for name in ("b.png", "a.png"):
        pp.save_image(pp.load_image("coins", size=12), tmp_path / "pics" / name)
    (tmp_path / "pics" / "notes.txt").write_text("not an image")
    spec = read_spec(write(tmp_path, 'images = ["pics", "moon"]\nbudgets = 300\n'))
    assert spec.images == ("pics/a.png", "pics/b.png", "moon")
    assert spec.sources[0] == str(tmp_path / "pics" / "a.png")


def test_an_interrupted_sweep_trains_only_what_is_missing(tmp_path):
    spec = write(tmp_path, SPEC)
    before = networks_trained()
    part = pp.sweep(spec, tmp_path / "out", workers=1, limit=3, progress=False)
    assert networks_trained() - before == 3
    assert (part.meta["trained"], part.meta["missing"]) == (3, 5)
    assert len(rows(tmp_path / "out" / "results.csv")) == 3
    full = pp.sweep(spec, tmp_path / "out", workers=1, progress=False)
    assert networks_trained() - before == 8
    table = rows(tmp_path / "out" / "results.csv")
    assert list(table[0]) == list(COLUMNS) and len(table) == 8
    assert [r["cached"] for r in table] == ["True"] * 3 + ["False"] * 5
    assert (full.meta["trained"], full.meta["cached"], full.meta["missing"]) == (5, 3, 0)
    assert len(list((tmp_path / "out" / ".cache").glob("relu-*.safetensors"))) == 8
    again = pp.sweep(spec, tmp_path / "out", workers=1, progress=False)
    assert networks_trained() - before == 8 and again.meta["cached"] == 8
    strip = [{k: v for k, v in r.items() if k != "cached"} for r in again.records]
    assert strip == [{k: v for k, v in r.items() if k != "cached"} for r in full.records]


def test_a_callback_that_raises_stops_the_sweep_and_a_rerun_finishes_it(tmp_path):
    spec = write(tmp_path, SPEC)
    seen = []

    def stop_after_two(row):
        seen.append(row)
        if len(seen) == 2:
            raise KeyboardInterrupt

    before = networks_trained()
    with pytest.raises(KeyboardInterrupt):
        pp.sweep(spec, tmp_path / "out", workers=1, callback=stop_after_two, progress=False)
    assert networks_trained() - before == 2
    assert len(rows(tmp_path / "out" / "results.csv")) == 2
    result = pp.sweep(spec, tmp_path / "out", workers=1, progress=False)
    assert networks_trained() - before == 8 and result.meta["cached"] == 2


def test_rows_hold_the_grid_and_the_edits(tmp_path):
    text = SPEC.replace("seeds = [0, 1]", "seeds = 3") + '\n[[edits]]\nedit = "quantize"\nbits = 4\n'
    result = pp.sweep(write(tmp_path, text), None, workers=1, progress=False)
    assert len(result.records) == 2 * 2 * 2
    plain = result.select(edit="")
    n = {b: pp.plan(b, "relu", 1, resolution=16).n_params for b in (200, 400)}
    assert [(r["image"], r["budget"], r["n_params"], r["seed"]) for r in plain] == [
        ("coins", 200, n[200], 3),
        ("coins", 400, n[400], 3),
        ("text", 200, n[200], 3),
        ("text", 400, n[400], 3),
    ]
    edited = result.select(edit="quantize(bits=4)")
    assert [r["key"] for r in edited] == [r["key"] for r in plain]
    assert all(e["n_params"] == p["n_params"] for e, p in zip(edited, plain))
    assert sum(e["psnr"] != p["psnr"] for e, p in zip(edited, plain)) >= 3  # measured after the edit
    shapes = {(*pp.load_image(name, size=16).shape, "cpu") for name in ("coins", "text")}
    assert {(r["height"], r["width"], r["channels"], r["device"]) for r in plain} == shapes


@pytest.mark.slow  # starts three pools of two processes (each imports torch)
def test_worker_processes_resume_and_match_one_process(tmp_path):
    spec = write(tmp_path, SPEC.replace("seeds = [0, 1]", "seeds = 0"))
    first = pp.sweep(spec, tmp_path / "a", workers=2, limit=2, progress=False)
    assert (first.meta["workers"], first.meta["threads"], first.meta["trained"]) == (2, 1, 2)
    rest = pp.sweep(spec, tmp_path / "a", workers=2, progress=False)
    assert (rest.meta["trained"], rest.meta["cached"]) == (2, 2)
    alone = pp.sweep(spec, tmp_path / "b", workers=1, threads=1, progress=False)
    drop = ("seconds", "cached")
    assert [{k: v for k, v in r.items() if k not in drop} for r in rest.records] == [
        {k: v for k, v in r.items() if k not in drop} for r in alone.records
    ]


def test_cli_sweep_writes_the_table(tmp_path, capsys):
    spec = write(tmp_path, SPEC)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "1", "--limit", "5", "-q"]) == 0
    assert "5 of 8 fits done (5 trained, 0 from the store, 3 left for a rerun)" in capsys.readouterr().out
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "1", "-q"]) == 0
    assert "8 of 8 fits done (3 trained, 5 from the store)" in capsys.readouterr().out
    assert len(rows(tmp_path / "out" / "results.csv")) == 8


def test_asking_for_ray_without_it_names_the_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(__import__("sys").modules, "ray", None)
    with pytest.raises(pp.ConfigError, match=r'pip install "pixparam\[ray\]"'):
        pp.sweep(write(tmp_path, SPEC), backend="ray", progress=False)
    assert main(["sweep", str(tmp_path / "spec.toml"), "--out", str(tmp_path / "o"), "--backend", "ray"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    with pytest.raises(pp.ConfigError, match="backend='slurm'"):
        pp.sweep(tmp_path / "spec.toml", backend="slurm")
