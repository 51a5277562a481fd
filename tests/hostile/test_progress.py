"""Long commands off a terminal print a progress line every few seconds to stderr (``-q`` silences it)."""

from __future__ import annotations

import io

import pixparam as pp
from pixparam import progress
from pixparam.gallery import Profile, build_gallery


def test_line_progress_prints_start_every_interval_and_end():
    out = io.StringIO()
    with progress.LineProgress(3, "fits", "fit", every=0.0, file=out) as bar:
        for i in range(3):
            bar.set_postfix_str(f"{i} reused")
            bar.update(1)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("pixparam: fits 0/3 fits")
    assert lines[-1].startswith("pixparam: fits 3/3 fits") and lines[-1].endswith("2 reused")
    assert len(lines) == 5  # start, three updates, end


def test_line_progress_waits_between_lines():
    out = io.StringIO()
    bar = progress.LineProgress(100, "gallery", "step", every=3600.0, file=out)
    for _ in range(100):
        bar.update(1)
    bar.close()
    bar.close()
    assert len(out.getvalue().splitlines()) == 2  # only the first and the last


def test_progress_bar_off_a_terminal_is_lines_and_quiet_is_nothing(capsys):
    with progress.progress_bar(2, "fits", "fit") as bar:  # pytest's stderr is not a terminal
        bar.update(2)
    assert "pixparam: fits 2/2" in capsys.readouterr().err
    with progress.progress_bar(2, "fits", "fit", progress=False) as bar:
        bar.update(2)
    assert capsys.readouterr().err == ""


def test_gallery_says_what_it_reused_as_it_goes(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(progress, "EVERY", 0.0)  # a line at every step, as every few seconds on a long build
    profile = Profile(name="t", images=("camera",), size=12, budgets=(300,), families=("relu",), steps=2,
                      lens_budget=300, experiments={})  # fmt: skip
    build_gallery(tmp_path / "g", profile, only=["pixels"], device="cpu")
    first = capsys.readouterr().err
    assert "1 fits trained, 0 reused" in first
    build_gallery(tmp_path / "g", profile, only=["pixels"], device="cpu")
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("pixparam: gallery")]
    reused = [ln for ln in lines if "0 fits trained, 1 reused" in ln]
    assert reused and lines.index(reused[0]) < len(lines) - 1  # said during the build, not only at its end
    assert pp.training.networks_trained() >= 1
