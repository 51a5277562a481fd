"""Films: log-spaced frame steps from 0, the synced film of several families (GIF, MP4), the PSNR plot."""

from __future__ import annotations

import itertools
import json
import sys

import numpy as np
import pytest
from PIL import Image

import pixparam as pp
from pixparam.figures import (
    FilmRecorder,
    family_films,
    frame_steps,
    plot_film_psnr,
    synced_frames,
    training_film,
    write_synced_film,
)
from pixparam.figures.film_sync import in_registry_order
from pixparam.figures.film_video import VideoUnavailableWarning, frame_durations, video_available, write_frames
from pixparam.figures.style import color_for
from pixparam.gallery import Profile, build_gallery
from pixparam.images import to_uint8
from pixparam.rendering import render_field
from pixparam.training import FitJob

CPU = {"device": "cpu", "seed": 0}
needs_av = pytest.mark.skipif(not video_available(), reason="needs PyAV (pip install 'pixparam[video]')")


@pytest.fixture(scope="module")
def img20() -> np.ndarray:
    return pp.load_image("astronaut", size=20)


@pytest.fixture(scope="module")
def films(img20):
    return family_films(img20, 300, ["relu", "grid"], steps=30, frames=8, **CPU)


@pytest.mark.parametrize(("total", "n"), [(600, 24), (1500, 40), (3000, 48), (40, 10), (7, 4), (1, 2)])
def test_frame_steps_are_log_spaced_from_zero_to_the_total(total, n):
    steps = frame_steps(total, n)
    assert len(steps) == n and steps[0] == 0 and steps[-1] == total
    assert all(b > a for a, b in itertools.pairwise(steps))  # unique, ascending
    # geometric after the first few consecutive steps: near-constant ratios
    ratios = [b / a for a, b in itertools.pairwise(steps[1:]) if a >= n // 4]
    assert len(ratios) < 3 or max(ratios) / min(ratios) < 1.5


def test_frame_steps_examples_and_errors():
    assert frame_steps(40, 10) == [0, 1, 2, 3, 5, 8, 12, 18, 27, 40]
    assert frame_steps(5, 40) == [0, 1, 2, 3, 4, 5]  # a short run: every step
    for bad in ({"total": 0, "n": 5}, {"total": 10, "n": 1}, {"total": 2.5, "n": 4}, {"total": True, "n": 4}):
        with pytest.raises(pp.ConfigError, match="whole number"):
            frame_steps(**bad)


def test_recorder_takes_steps_or_every(img20):
    with pytest.raises(pp.ConfigError, match=r"steps= .* or every="):
        FilmRecorder(img20)
    with pytest.raises(pp.ConfigError, match="pass one of them"):
        FilmRecorder(img20, 3, steps=10)
    with pytest.raises(pp.ConfigError, match="steps=-1"):
        FilmRecorder(img20, steps=[0, -1])
    assert FilmRecorder(img20, steps=10, frames=6).steps == [0, 1, 2, 3, 5, 10]
    assert FilmRecorder(img20, steps=[8, 0, 3, 3]).steps == [0, 3, 8]
    rec = FilmRecorder(img20, steps=[2, 5])
    pp.fit(img20, 300, "relu", steps=6, progress=False, callback=rec, **CPU)
    assert rec.film.steps == [2, 5]


@pytest.mark.parametrize("family", ["relu", "siren"])
def test_a_films_first_frame_is_the_untrained_network(img20, family):
    film = training_film(img20, budget=300, family=family, steps=12, frames=5, **CPU)
    assert film.steps == frame_steps(12, 5) == [0, 1, 2, 5, 12]
    untrained = FitJob.plan(img20, 300, family, steps=12, **CPU).model  # the same seed: the same start
    assert np.array_equal(film.frames[0], to_uint8(render_field(untrained, 20, 20)))
    assert not np.array_equal(film.frames[0], film.frames[-1])
    assert film.psnr[-1] == pytest.approx(pp.psnr(img20, film.frames[-1] / 255.0), abs=0.05)


def test_the_grids_first_frame_is_the_pixel_counterpart(films, img20):
    grid = films["grid"]
    pix = pp.pixelate(img20, grid.fit.n_params)
    expected = to_uint8(pix.render())
    assert np.abs(grid.frames[0].astype(int) - expected.astype(int)).max() <= 1
    assert grid.psnr[0] == pytest.approx(pix.psnr, abs=0.05)


def test_family_films_share_steps_in_registry_order(films):
    assert list(films) == in_registry_order(["relu", "grid"]) == ["grid", "relu"]
    assert films["grid"].steps == films["relu"].steps == frame_steps(30, 8)
    assert all(len(f.frames) == len(f.psnr) == 8 and f.fit is not None for f in films.values())


def _find(frame: np.ndarray, block: np.ndarray) -> tuple[int, int] | None:
    """Where ``block`` sits in ``frame`` (top-left ``(x, y)``), or ``None``."""
    bh, bw = block.shape[:2]
    ys, xs = np.nonzero((frame[: frame.shape[0] - bh + 1, : frame.shape[1] - bw + 1] == block[0, 0]).all(axis=2))
    for y, x in zip(ys, xs):
        if np.array_equal(frame[y : y + bh, x : x + bw], block):
            return int(x), int(y)
    return None


def _panel(image: np.ndarray, k: int) -> np.ndarray:
    rgb = np.repeat(image, 3, axis=2) if image.shape[2] == 1 else image
    return np.kron(rgb, np.ones((k, k, 1), dtype=np.uint8))  # nearest-neighbour upscaling by k


def test_synced_frames_lay_out_the_original_then_each_family_at_one_step(films, img20):
    frames = synced_frames(img20, films, title="300 parameters")
    assert len(frames) == 8 and len({f.size for f in frames}) == 1
    w, h = frames[0].size
    assert w % 2 == 0 and h % 2 == 0
    k = 8  # panels enlarged by a whole factor to at least 160 px: 20 px × 8
    assert 3 * 20 * k <= w < 4 * 20 * k and 20 * k < h < 2 * 20 * k  # three panels in one row
    for t in (0, 7):
        a = np.asarray(frames[t])
        where = [_find(a, _panel(to_uint8(img20), k))] + [_find(a, _panel(films[f].frames[t], k)) for f in films]
        assert None not in where, where
        assert where[0][0] < where[1][0] < where[2][0] and len({y for _, y in where}) == 1  # original, grid, relu
    assert not np.array_equal(np.asarray(frames[0]), np.asarray(frames[1]))  # the step and PSNRs change
    small = synced_frames(img20, films, panel=64)
    assert small[0].size[0] < 4 * 64 + 20


def test_synced_gif_has_a_frame_per_step_held_then_the_last_held_longer(films, img20, tmp_path):
    path = write_synced_film(img20, films, tmp_path / "film.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == 8 and gif.size == synced_frames(img20, films)[0].size
        durations = []
        for i in range(gif.n_frames):
            gif.seek(i)
            durations.append(gif.info["duration"])
    assert durations == frame_durations(8) == [250] * 7 + [1500]
    assert [p.name for p in tmp_path.iterdir()] == ["film.gif"]  # no temporary file left


@needs_av
def test_synced_mp4_decodes_to_the_same_frames_at_an_even_size(films, img20, tmp_path):
    import av

    path = write_synced_film(img20, films, tmp_path / "film.mp4")
    size = synced_frames(img20, films)[0].size
    with av.open(str(path)) as video:
        decoded = [f.to_ndarray(format="rgb24") for f in video.decode(video=0)]
        seconds = float(video.duration) / av.time_base
    assert len(decoded) == 8 and decoded[0].shape == (size[1], size[0], 3)
    assert seconds == pytest.approx(7 * 0.25 + 1.5, abs=0.05)
    first = np.asarray(synced_frames(img20, films)[0], dtype=float)
    assert np.abs(decoded[0].astype(float) - first).mean() < 6  # H.264 at crf 18: close to the drawn frame


@needs_av
def test_odd_sized_frames_are_padded_to_even_for_h264(tmp_path):
    import av

    frames = [Image.new("RGB", (33, 21), (40 * i, 0, 0)) for i in range(3)]
    write_frames(frames, tmp_path / "odd.mp4")
    with av.open(str(tmp_path / "odd.mp4")) as video:
        shapes = [f.to_ndarray(format="rgb24").shape for f in video.decode(video=0)]
    assert shapes == [(22, 34, 3)] * 3


def test_films_of_other_steps_do_not_sync(films, img20, tmp_path):
    other = training_film(img20, budget=300, family="relu", steps=30, frames=5, **CPU)
    with pytest.raises(pp.ConfigError, match="same steps"):
        synced_frames(img20, {"grid": films["grid"], "relu": other})
    with pytest.raises(pp.ConfigError, match="no films"):
        synced_frames(img20, {})
    with pytest.raises(pp.ConfigError, match="panel="):
        synced_frames(img20, films, panel=2)
    with pytest.raises(pp.OutputError, match=r"use \.gif"):
        write_synced_film(img20, films, tmp_path / "film.avi")


def test_without_pyav_an_asked_for_mp4_fails_before_any_work(films, img20, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "av", None)
    assert not video_available()
    with pytest.raises(pp.OutputError, match=r"needs PyAV: pip install 'pixparam\[video\]'"):
        write_synced_film(img20, films, tmp_path / "film.mp4")
    with pytest.raises(pp.OutputError, match="PyAV"):
        training_film(img20, tmp_path / "one.mp4", budget=300, family="relu", steps=3, **CPU)
    assert list(tmp_path.iterdir()) == []


def test_psnr_plot_has_a_log_x_axis_and_a_line_per_family(films):
    fig = plot_film_psnr(films, pixels=21.5, pixels_label="pixels 9×9", title="astronaut")
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_xlim()[0] == 1 and "step + 1" in ax.get_xlabel()
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines) == [
        f"grid · {films['grid'].psnr[-1]:.1f} dB",
        f"relu · {films['relu'].psnr[-1]:.1f} dB",
        "pixels 9×9 · 21.5 dB",
    ]
    grid = lines[f"grid · {films['grid'].psnr[-1]:.1f} dB"]
    assert grid.get_xdata().tolist() == [s + 1 for s in films["grid"].steps]  # step 0 at x = 1, the left edge
    assert grid.get_color() == color_for("grid")
    assert list(lines["pixels 9×9 · 21.5 dB"].get_ydata()) == [21.5, 21.5]
    assert fig.get_size_inches()[0] <= pp.figures.MAX_WIDTH


def test_profile_film_frames_and_the_old_film_every(recwarn):
    base = {"name": "t", "images": ("camera",), "size": 16, "budgets": (300,), "lens_budget": 300}
    assert Profile(**base, film_steps=60).film_frames == 40
    with pytest.warns(DeprecationWarning, match="use film_frames="):
        old = Profile(**base, film_steps=60, film_every=20)
    assert old.film_frames == 4 and "film_every" not in old.to_dict()
    assert old.with_(size=20).film_frames == 4
    with pytest.raises(pp.ConfigError, match="film_frames=1"):
        Profile(**base, film_frames=1)
    assert [pp.gallery.get_profile(n).film_frames for n in ("quick", "standard", "full")] == [24, 40, 48]


def test_gallery_films_without_pyav_write_the_gif_and_say_so(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "av", None)
    tiny = Profile(
        name="tiny-films",
        images=("camera",),
        size=24,
        budgets=(300,),
        families=("siren", "relu"),
        steps=2,
        lens_budget=300,
        film_steps=8,
        film_frames=5,
        experiments={},
    )
    out = tmp_path / "g"
    (out).mkdir()
    (out / "film.mp4").write_bytes(b"stale")
    with pytest.warns(VideoUnavailableWarning, match="MP4 skipped because PyAV is not installed"):
        res = build_gallery(out, tiny, only="films", device="cpu", progress=False)
    (section,) = res["sections"]
    video, plot = section["figures"]
    assert video["gif"] == "film.gif" and "mp4" not in video and plot["png"] == "film-psnr.png"
    assert not (out / "film.mp4").exists()  # no stale film of another build
    assert "<video" not in (out / "index.html").read_text()
    n = section["numbers"]
    assert n["steps"] == frame_steps(8, 5) and n["early_step"] == 1
    final = {f: v["final"] for f, v in n["families"].items()}
    assert n["final_leader"] == max(final, key=final.get)
    assert sorted(n["beat_pixels"] + n["lose_to_pixels"]) == ["relu", "siren"]
    assert all(final[f] > n["pixels"]["psnr"] for f in n["beat_pixels"])
    caption = section["caption"]
    assert f"At step 8 {n['final_leader']} wins" in caption and f"After 1 step {n['early_leader']} is ahead" in caption
    assert f"{n['pixels']['psnr']:.1f} dB" in caption
    assert json.loads((out / "results.json").read_text())["sections"][0]["numbers"] == res["sections"][0]["numbers"]
