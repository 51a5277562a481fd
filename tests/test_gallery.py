from __future__ import annotations

import importlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import pixparam as pp
from pixparam import cache
from pixparam.credits import sample_credit
from pixparam.gallery import SECTIONS, Profile, build_gallery
from pixparam.gallery.story import empty_cache_seconds
from pixparam.web import serve

TINY = Profile(
    name="tiny",
    images=("camera", "coffee"),  # gray and square, colour and 16×24
    size=24,
    budgets=(300, 600),
    families=("relu", "siren"),
    steps=4,
    lens_budget=300,
    film_steps=6,
    film_frames=4,
    heal_steps=2,
    experiments={
        "crowding": {
            "images": ["coffee", "moon"],
            "size": 8,
            "budget": 300,
            "families": ["relu"],
            "ks": [1, 2],
            "steps": 3,
        },
        "generalisation": {
            "size": 12,
            "budgets": [60, 200],
            "families": ["siren"],
            "train_fraction": 0.5,
            "noise": 0.0,
            "steps": 3,
            "seeds": 2,
        },
        "scaling": {"size": 12, "budgets": [100, 200, 400], "families": ["siren"], "steps": [2, 4]},
    },
)
N_LADDER = len(TINY.images) * len(TINY.families) * len(TINY.budgets)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gallery")
    build_gallery(out, TINY, device="cpu", progress=False)
    return out


def _results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text())


def _numbers(value) -> list[float]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _numbers(v)]
    if isinstance(value, list):
        return [x for v in value for x in _numbers(v)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)]
    return []


def test_build_writes_results_readme_page_and_every_figure(built):
    res = _results(built)
    assert [s["name"] for s in res["sections"]] == [s.name for s in SECTIONS]
    assert len(res["fits"]) == N_LADDER
    for f in res["fits"]:
        assert {"budget", "family", "steps", "seconds", "device", "psnr", "ssim", "pixparam"} <= set(f)
        assert f["n_params"] <= f["budget"] and f["steps"] == TINY.steps and f["pixparam"] == pp.__version__
    assert res["meta"]["fits_trained"] >= N_LADDER
    kinds = ("png", "svg", "gif", "mp4")
    files = [v for s in res["sections"] for fig in s["figures"] for k, v in fig.items() if k in kinds]
    assert any(f.endswith(".svg") for f in files) and any(f.endswith(".gif") for f in files)
    for name in files:
        assert (built / name).stat().st_size > 500, name
    readme = (built / "README.md").read_text()
    linked = re.findall(r"\]\(([^)]+)\)", readme)
    assert linked and all((built / name).exists() for name in linked)
    for s in res["sections"]:
        assert s["caption"] in readme
        for first in re.findall(r"[.!?] ([a-z][\w/.']*)", s["caption"]):  # a sentence opens in capitals, or a name
            assert "/" in first or first.split("'")[0] in pp.FAMILIES, (s["name"], first)
        assert not re.search(r"pixels wins\b", s["caption"]), s["caption"]
        for fig in s["figures"]:  # alt text states the finding (a measured number or who wins), not the caption
            assert fig["alt"] and fig["alt"] not in s["caption"], fig
            assert re.search(r"\d|wins|beats|higher|ahead", fig["alt"]), fig["alt"]
    films = next(s for s in res["sections"] if s["name"] == "films")["numbers"]
    assert films["steps"] == [0, 1, 2, 6] and films["early_step"] == 1  # log-spaced from step 0
    plot_alt = next(f["alt"] for s in res["sections"] if s["name"] == "films" for f in s["figures"] if "png" in f)
    below = re.search(r"; (.+) (ends?) below the pixel counterpart", plot_alt)
    assert below is None or (below[2] == "ends") == ("," not in below[1]), plot_alt  # "relu ends", "a, b end"
    assert {f: v["frames"] for f, v in films["families"].items()} == {"siren": 4, "relu": 4}
    with Image.open(built / "film.gif") as gif:
        assert gif.n_frames == TINY.film_frames  # the step in the header changes every frame


def test_every_number_in_readme_and_page_comes_from_results(built):
    res = _results(built)
    known = {f"{v:.{d}f}" for v in _numbers(res) for d in (1, 2, 3)}
    readme = (built / "README.md").read_text()
    page = (built / "index.html").read_text().split('<script type="application/json"')[0]
    for text in (readme, page):
        shown = re.findall(r"(\d+\.\d+) dB", text)
        assert shown, "captions show PSNRs"
        missing = [v for v in shown if v not in known]
        assert not missing, f"numbers not in results.json: {missing}"
    embedded = page_data(built)
    assert embedded["budgets"] == list(TINY.budgets) and embedded["panels"] == res["interactive"]["panels"]


def test_edits_section_blends_two_images_from_one_init_and_counts_bytes(built):
    sec = next(s for s in _results(built)["sections"] if s["name"] == "edits")
    n = sec["numbers"]
    assert [f["png"] for f in sec["figures"]] == [
        "edit-prune.png",
        "edit-quantize.png",
        "edit-blend.png",
        "edit-blend-seeds.png",
    ]
    blend = n["blend_images"]
    assert blend["images"] == list(TINY.images) and blend["same_init"] is True  # camera and coffee, one seed
    assert set(blend["mid"]["network"]) == set(blend["mid"]["pixels"]) == set(TINY.images)
    pixels = blend["psnr"]["pixels, cross-fade"]
    assert pixels["camera"][0] > pixels["camera"][-1] and pixels["coffee"][-1] > pixels["coffee"][0]  # two images
    assert set(n["blend_seeds"]["mid"]) == {"none", "permutation", "permutation+sign"}  # siren: sign flips
    assert set(n["prune"]["0.5"]) == {"network", "healed", "pixels", "winner"}
    for row in n["quantize"].values():
        assert row["per_tensor"]["bytes"] > 0 and row["per_channel"]["bytes"] > 0 and row["pixels"]["raw_bytes"] > 0
    assert "DCT coefficients" in sec["caption"] and "per channel" in sec["caption"]


def test_experiment_sections_figures_and_captions(built):
    """Issue #19: three scaling figures, the held-out predictions, K different images, named baselines."""
    sections = {s["name"]: s for s in _results(built)["sections"]}
    pngs = {name: [f["png"] for f in sections[name]["figures"]] for name in ("crowding", "generalisation", "scaling")}
    assert pngs == {
        "crowding": ["crowding.png"],
        "generalisation": ["generalisation.png", "generalisation-predictions.png"],
        "scaling": ["scaling-laws.png", "scaling-exchange.png", "scaling-frontier.png"],
    }
    for name in ("scaling-laws.png", "scaling-exchange.png", "scaling-frontier.png"):
        with Image.open(built / name) as im:
            assert im.width >= 7 * 130  # 7 in or more at the gallery's dpi
    crowd = sections["crowding"]["numbers"]
    assert crowd["images"] == ["coffee", "moon"] and "coffee, moon" in sections["crowding"]["caption"]
    assert crowd["psnr"]["pixels"]["1"] is None  # 8×8×3 ≤ 300 values: lossless (inf, stored as null)
    assert "lossless: pixels at K = 1" in sections["crowding"]["caption"]
    gen = sections["generalisation"]
    interp = gen["numbers"]["interpolation"]["mean"]
    assert f"linear interpolation of the training pixels ({interp:.1f} dB)" in gen["caption"] or (
        f"scores {interp:.1f} dB on the held-out pixels and beats every network" in gen["caption"]
    )
    assert "±1 std over 2 seeds" in gen["caption"]
    scal = sections["scaling"]
    assert "bootstrap" in scal["caption"] and "capped" in scal["caption"] and scal["numbers"]["capped"] >= 1


def test_the_page_embeds_the_live_viewer_of_every_ladder(built):
    live = _results(built)["live"]
    assert live == {
        "src": "viewer/index.html",
        "image": TINY.images[0],
        "models": len(TINY.families) * len(TINY.budgets),
    }
    manifest = json.loads((built / "viewer" / "models.json").read_text())
    assert len(manifest["models"]) == live["models"]
    assert {m["family"] for m in manifest["models"]} == set(TINY.families)
    assert '<iframe class="live" src="viewer/index.html"' in (built / "index.html").read_text()


def page_data(out: Path) -> dict:
    html = (out / "index.html").read_text()
    data = re.search(r'<script type="application/json" id="gallery-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(data.replace("<\\/", "</"))


def test_rerun_trains_nothing_and_interrupted_build_resumes(tmp_path, monkeypatch):
    profile = TINY.with_(images=("camera",), families=("relu",), experiments={})
    out = tmp_path / "g"
    calls = []
    real_fit = cache.fit

    def counting(*args, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt  # the build is interrupted during its third fit
        calls.append(1)
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(cache, "fit", counting)
    with pytest.raises(KeyboardInterrupt):
        build_gallery(out, profile, device="cpu", progress=False)
    assert len(list((out / ".cache").glob("*.safetensors"))) == 2  # the two finished fits were saved
    monkeypatch.setattr(cache, "fit", real_fit)
    res = build_gallery(out, profile, device="cpu", progress=False)
    assert res["meta"]["fits_reused"] == 2  # nothing finished before the interrupt is trained again
    trained = res["meta"]["fits_trained"]
    again = build_gallery(out, profile, device="cpu", progress=False)
    assert again["meta"]["fits_trained"] == 0 and again["meta"]["fits_reused"] == trained + 2
    assert [f["psnr"] for f in again["fits"]] == [f["psnr"] for f in res["fits"]]
    # the header counts this run's work, and the ladder's training time whichever run trained each fit
    minutes = sum(f["seconds"] for f in res["fits"]) / 60
    header = f"0 fits trained and {trained + 2} reused from the cache in {again['meta']['seconds']:.0f} s; " \
             f"the ladder's {len(res['fits'])} fits took {minutes:.1f} min of training in all."  # fmt: skip
    assert header in (out / "README.md").read_text()


def test_a_rerun_packs_nothing_again_until_a_packed_file_changes_or_is_gone(built, tmp_path, monkeypatch):
    capacity = importlib.import_module("pixparam.capacity")
    out = tmp_path / "g"
    shutil.copytree(built, out)
    before = _results(out)
    calls, real = [], capacity.capacity_table
    monkeypatch.setattr(capacity, "capacity_table", lambda *a, **k: calls.append(k["qat_steps"]) or real(*a, **k))
    again = build_gallery(out, TINY, only=["hero", "capacity"], device="cpu", progress=False)
    assert calls == [] and again["meta"]["fits_trained"] == 0  # no fine-tuning, no codec search
    for name in ("hero", "capacity"):
        old, new = (next(s for s in r["sections"] if s["name"] == name) for r in (before, again))
        assert new["caption"] == old["caption"] and new["numbers"] == old["numbers"]
    # the packing's seconds are kept with its records and count towards the hero's cost from an empty cache
    store = pp.store.Store(out / ".cache")
    (key,) = [p.stem for p in (out / ".cache" / "packed-records").glob("*.json")]
    packing = float(store.get_records("packed-records", key)[1]["seconds"])
    hero = (before["sections"][0]["build"], again["sections"][0]["build"])
    ladder = sum(f["seconds"] for f in again["fits"] if f["image"] == TINY.images[0])
    assert 0 < packing < hero[0]["seconds"] and hero[1]["fits_reused"] == len(TINY.families) * len(TINY.budgets)
    assert hero[1]["reused_fit_seconds"] == pytest.approx(ladder + packing, abs=0.2)
    files = sorted((out / ".cache" / "packed").rglob("*.ppk"))
    files[0].write_bytes(files[1].read_bytes())  # another build packed into the folder: its records are stale
    build_gallery(out, TINY, only="capacity", device="cpu", progress=False)
    assert calls == [TINY.heal_steps]  # the profile's healing steps, below the cap of 300
    files[0].unlink()  # a file the records name is gone: pack again
    build_gallery(out, TINY, only="capacity", device="cpu", progress=False)
    assert calls == [TINY.heal_steps] * 2


def test_only_rebuilds_one_section_and_keeps_the_rest(built, tmp_path):
    out = tmp_path / "g"
    shutil.copytree(built, out)
    before = _results(out)
    untouched = {p.name: p.stat().st_mtime_ns for p in out.glob("pixels-*.png")}
    lens = (out / "lens.png").stat().st_mtime_ns
    res = build_gallery(out, TINY, only="lens", device="cpu", progress=False)
    assert [s["name"] for s in res["sections"]] == [s["name"] for s in before["sections"]]
    assert res["meta"]["fits_trained"] == 0
    assert res["sections"][0] == before["sections"][0]
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("pixels-*.png")} == untouched  # not redrawn
    assert (out / "lens.png").stat().st_mtime_ns > lens  # redrawn
    # another profile under the same name does not keep sections measured with the old one
    smaller = build_gallery(out, TINY.with_(size=20), only="lens", device="cpu", progress=False)
    assert [s["name"] for s in smaller["sections"]] == ["lens"]


def test_a_build_split_into_runs_experiments_first_then_the_rest(tmp_path):
    """Experiments alone train no ladder and draw no comparison; the rest, later, completes the same gallery."""
    out = tmp_path / "g"
    experiments = [s.name for s in SECTIONS if s.experiment]
    first = build_gallery(out, TINY, only=experiments, device="cpu", progress=False)
    assert [s["name"] for s in first["sections"]] == experiments
    assert first["fits"] == [] and first["meta"]["fits_trained"] == 0  # no ladder fit trained
    assert first["interactive"] is None and first["live"] is None
    page = (out / "index.html").read_text()
    assert "Network or pixels?" not in page and "gallery-data" not in page and "Zoom into the network" not in page
    rest = [s.name for s in SECTIONS if not s.experiment]
    assert [s.name for s in SECTIONS if s.ladder] == ["hero", "pixels", "lens", "zoom", "capacity"]
    second = build_gallery(out, TINY, only=rest, device="cpu", progress=False)
    assert [s["name"] for s in second["sections"]] == [s.name for s in SECTIONS]
    assert len(second["fits"]) == N_LADDER and second["interactive"]["families"] == list(TINY.families)
    kept = {s["name"]: s for s in second["sections"]}
    assert [kept[n] for n in experiments] == first["sections"]  # the first run's entries, untouched
    runs = {s["build"]["run"] for s in second["sections"]}
    assert len(runs) == 2 and all(s["build"]["seconds"] >= 0 for s in second["sections"])
    minutes = sum(empty_cache_seconds(s) for s in second["sections"]) / 60
    text = (
        f"Its {len(SECTIONS)} sections were built over 2 runs (--only, --missing), taking {minutes:.1f} min in all "
        "from an empty cache"
    )
    assert text in (out / "README.md").read_text()
    assert f"Its last run: {second['meta']['fits_trained']} fits trained and " in (out / "README.md").read_text()
    assert "Network or pixels?" in (out / "index.html").read_text()
    # the films again, alone: the ladder's comparison and viewer are kept, not redrawn, and nothing is trained
    third = build_gallery(out, TINY, only="films", device="cpu", progress=False)
    assert third["interactive"] == second["interactive"] and third["live"] == second["live"]
    assert third["meta"]["fits_trained"] == 0


def test_a_build_cut_short_keeps_its_sections_and_missing_finishes_it_on_an_empty_cache(tmp_path, monkeypatch):
    from pixparam.gallery.sections import BUILDERS

    profile = TINY.with_(images=("camera",), families=("relu",), experiments={})
    out = tmp_path / "g"

    def cut(ctx):
        raise KeyboardInterrupt  # the sitting ends while the films are drawn

    monkeypatch.setitem(BUILDERS, "films", cut)
    with pytest.raises(KeyboardInterrupt):
        build_gallery(out, profile, device="cpu", progress=False, cache=tmp_path / "first")
    done = _results(out)
    before = ["hero", "pixels", "lens", "zoom", "capacity", "edits"]
    assert [s["name"] for s in done["sections"]] == before  # every finished section was written
    assert done["interactive"]["families"] == ["relu"]  # drawn right after the last ladder section
    monkeypatch.undo()
    res = build_gallery(out, profile, missing=True, device="cpu", progress=False, cache=tmp_path / "empty")
    assert [s["name"] for s in res["sections"]] == [*before, "films"]
    assert res["sections"][:-1] == done["sections"] and res["interactive"] == done["interactive"]
    assert res["fits"] == done["fits"]  # the ladder's records as the first sitting trained them: none trained again
    written = {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()}
    again = build_gallery(out, profile, missing=True, device="cpu", progress=False, cache=tmp_path / "empty")
    assert again == res  # nothing missing: nothing built, and the last build's record of itself stays
    assert {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()} == written


def test_a_cache_kept_between_sittings_counts_the_fits_an_earlier_one_trained(tmp_path, monkeypatch):
    from pixparam.gallery.sections import BUILDERS

    profile = TINY.with_(images=("camera",), families=("relu",), experiments={})
    out, cache = tmp_path / "g", tmp_path / "kept"
    hero = BUILDERS["hero"]

    def cut(ctx):  # the sitting ends two fits into the ladder
        for budget in profile.budgets[:2]:
            ctx.ladder_fit("camera", "relu", budget)
        raise KeyboardInterrupt

    monkeypatch.setitem(BUILDERS, "hero", cut)
    with pytest.raises(KeyboardInterrupt):
        build_gallery(out, profile, device="cpu", progress=False, cache=cache)
    assert not (out / "results.json").exists()  # no section finished
    monkeypatch.setitem(BUILDERS, "hero", hero)
    res = build_gallery(out, profile, missing=True, device="cpu", progress=False, cache=cache)
    b = res["sections"][0]["build"]
    n = len(profile.budgets)
    assert res["sections"][0]["name"] == "hero" and (b["fits_trained"], b["fits_reused"]) == (n - 2, 2)
    first = [f for f in res["fits"] if f["budget"] in profile.budgets[:2]]
    assert b["reused_fit_seconds"] == pytest.approx(sum(f["seconds"] for f in first), abs=0.05)
    assert empty_cache_seconds(res["sections"][0]) == b["seconds"] + b["reused_fit_seconds"]
    later = res["sections"][1]["build"]  # the next section draws the same fits from memory: nothing reused
    assert (later["fits_trained"], later["fits_reused"], later["reused_fit_seconds"]) == (0, 0, 0.0)


def test_films_from_a_kept_cache_count_the_training_of_their_fits(tmp_path):
    profile = TINY.with_(images=("camera",), families=("relu", "siren"), experiments={}, film_steps=4)
    cache = tmp_path / "kept"
    first = build_gallery(tmp_path / "a", profile, only="films", device="cpu", progress=False, cache=cache)
    again = build_gallery(tmp_path / "b", profile, only="films", device="cpu", progress=False, cache=cache)
    b = again["sections"][0]["build"]
    films = sorted(cache.glob("film-*.safetensors"))
    trained = sum(pp.load(path).seconds for path in films)
    assert len(films) == 2 and (b["fits_trained"], b["fits_reused"]) == (0, 2)
    assert b["reused_fit_seconds"] == pytest.approx(trained, abs=0.05)
    assert first["sections"][0]["build"]["fits_reused"] == 0
    assert again["sections"][0]["numbers"] == first["sections"][0]["numbers"]


def test_films_alone_on_a_fresh_folder_and_rebuilt_when_the_profile_changes(tmp_path):
    out = tmp_path / "g"
    short = TINY.with_(images=("camera",), families=("relu",), experiments={}, film_steps=4, film_frames=3)
    longer = short.with_(film_steps=8, film_frames=5)
    for profile in (short, longer, short):
        res = build_gallery(out, profile, only="films", device="cpu", progress=False)
        numbers = res["sections"][0]["numbers"]
        assert numbers["families"]["relu"]["frames"] == profile.film_frames
        assert numbers["steps"][0] == 0 and numbers["steps"][-1] == profile.film_steps
        with Image.open(out / "film.gif") as gif:
            assert gif.n_frames == profile.film_frames  # the GIF is this profile's film, not a stale one


def test_bad_profile_and_section(tmp_path):
    with pytest.raises(ValueError, match="unknown gallery profile 'huge'"):
        build_gallery(tmp_path, "huge")
    with pytest.raises(ValueError, match="unknown gallery section nope"):
        build_gallery(tmp_path, TINY, only="nope")
    with pytest.raises(ValueError, match="lens_budget 5000 is not one of the budgets"):
        TINY.with_(lens_budget=5000)


def test_profile_errors_are_config_errors():
    with pytest.raises(pp.ConfigError, match="unknown gallery profile 'huge'"):
        pp.gallery.get_profile("huge")
    with pytest.raises(pp.ConfigError, match="at least one image"):
        TINY.with_(images=())
    with pytest.raises(pp.ConfigError, match="unknown families"):
        TINY.with_(families=("cnn",))
    with pytest.raises(pp.ConfigError, match="lens_budget"):
        TINY.with_(lens_budget=5000)
    with pytest.raises(pp.ConfigError, match="training sets seed, steps; the profile's"):
        TINY.with_(training={"steps": 5, "seed": 1})
    with pytest.raises(pp.ConfigError, match="unknown training setting nosuch"):
        TINY.with_(training={"nosuch": 1})
    with pytest.raises(pp.ConfigError, match="batch_size=0"):
        TINY.with_(training={"batch_size": 0})
    with pytest.raises(pp.ConfigError, match="unknown family cnn"):
        TINY.with_(training={"cnn": {"steps": 5}})
    with pytest.raises(pp.ConfigError, match=r"training\['siren'\] sets seed"):
        TINY.with_(training={"siren": {"seed": 2}})
    with pytest.raises(pp.ConfigError, match="steps=0"):
        TINY.with_(training={"siren": {"steps": 0}})


def test_profile_training_for_a_family_overrides_the_common_settings():
    p = TINY.with_(training={"batch_size": 64, "siren": {"batch_size": None, "steps": 3}})
    assert p.training_for("siren") == {"steps": 3, "batch_size": None}
    assert p.training_for("relu") == {"steps": TINY.steps, "batch_size": 64}
    assert TINY.training_for("relu") == {"steps": TINY.steps}


def test_profile_training_is_described_in_words():
    from pixparam.gallery.training import describe_training

    text = describe_training({"batch_size": 64, "siren": {"compile": True}, "relu": {"steps": 3, "batch_size": None}})
    assert text == " (mini-batches of 64 pixels); siren: compiled (torch.compile); relu: 3 steps, full batch"
    assert describe_training({}) == ""


def test_profile_training_settings_reach_every_ladder_fit(tmp_path):
    """A profile's training settings are passed to its fits: a batch size makes another run, not a cache hit."""
    small = TINY.with_(images=("camera",), families=("siren",), budgets=(300,), experiments={})
    runs = {}
    for name, profile in (("plain", small), ("batched", small.with_(training={"batch_size": 64}))):
        build_gallery(tmp_path / name, profile, device="cpu", progress=False, cache=tmp_path / "c", only=["lens"])
        runs[name] = _results(tmp_path / name)
    (plain,), (batched,) = runs["plain"]["fits"], runs["batched"]["fits"]
    assert runs["batched"]["meta"]["fits_trained"] == 1  # trained again: 64 of the 576 pixels a step
    assert plain["psnr"] != batched["psnr"]
    assert runs["batched"]["profile"]["training"] == {"batch_size": 64} and runs["plain"]["profile"]["training"] == {}
    build_gallery(tmp_path / "own", small.with_(training={"siren": {"steps": 3}}), device="cpu", progress=False,
                  cache=tmp_path / "c", only=["lens"])  # fmt: skip
    assert [f["steps"] for f in _results(tmp_path / "own")["fits"]] == [3]  # a family's own steps
    assert "4 training steps per fit; siren: 3 steps." in (tmp_path / "own" / "README.md").read_text()
    assert "4 training steps per fit (mini-batches of 64 pixels)." in (tmp_path / "batched" / "README.md").read_text()


def test_profile_families_default_is_every_registered_family(request):
    from pixparam.gallery import spec

    every = Profile(name="all", images=("camera",), size=16, budgets=(300,), lens_budget=300)
    assert every.every_family and every.families == tuple(pp.FAMILIES)
    assert not TINY.every_family and TINY.with_(size=12).families == TINY.families
    assert every.to_dict()["families"] == list(pp.FAMILIES) and "every_family" not in every.to_dict()
    full = spec.PROFILES["full"]
    assert full.to_dict()["experiments"]["scaling"]["families"] == list(pp.FAMILIES)  # resolved in results.json
    # a family registered later joins "every family" profiles, and their experiments, when they are next used
    request.getfixturevalue("newfam")
    assert every.with_(size=12).families[-1] == "newfam"
    assert pp.gallery.get_profile("full").families[-1] == "newfam"
    assert full.settings("crowding")["families"][-1] == "newfam"
    assert pp.gallery.get_profile(TINY) is TINY  # explicit families stay as given


@pytest.mark.parametrize("name", ["quick", "standard", "full"])
def test_every_built_in_profile_plans_every_fit_it_trains(name):
    """Every (image, family, budget) of the ladder and every experiment unit plans; nothing is trained."""
    from pixparam.experiments import plan_multi, square_crops
    from pixparam.gallery.experiments import TUNING_IMAGES, crowd_images
    from pixparam.training.resolve import resolve_arch

    p = pp.gallery.get_profile(name)
    planned = 0
    for image in p.images:
        h, w, c = pp.load_image(image, size=p.size).shape
        for family in p.families:
            for budget in p.budgets:
                arch = resolve_arch(budget, family, c, max(h, w), {}, shape=(h, w))
                assert arch.n_params <= budget
                planned += 1
    assert planned == len(p.images) * len(p.families) * len(p.budgets)
    crowd = p.settings("crowding")
    names = crowd_images(crowd)
    assert names == crowd["images"][: max(crowd["ks"])] and not set(names) & set(TUNING_IMAGES)
    crops = square_crops(names, crowd["size"])
    assert len({x.tobytes() for x in crops}) == len(names) == max(crowd["ks"])  # K different images
    assert all(max(crowd["ks"]) % k == 0 for k in crowd["ks"])
    c = crops[0].shape[2]
    assert crowd["families"] and set(crowd["families"]) <= set(p.families)
    for family in crowd["families"]:
        for k in crowd["ks"]:
            assert plan_multi(crowd["budget"], family, k, c, resolution=crowd["size"]).n_params <= crowd["budget"]
    skipped = []  # these experiments skip (and record) a budget too small for a family
    for section in ("generalisation", "scaling"):
        s = p.settings(section)
        c = pp.load_image(s.get("image", p.images[0]), size=s["size"]).shape[2]
        for family in s["families"]:
            fits = 0
            for budget in s["budgets"]:
                try:
                    fits += pp.plan(budget, family, c, resolution=s["size"]).n_params <= budget
                except pp.BudgetError:
                    skipped.append(f"{section} {family} {budget}")
            assert fits, f"{section}: no budget plans {family}"
    if name == "standard":
        assert not skipped
    if name != "quick":  # issue #19: enough budgets and seeds to read a curve and its spread
        gen = p.settings("generalisation")
        assert len(gen["budgets"]) >= 8 and gen["seeds"] >= 5
        quick = pp.gallery.get_profile("quick").settings("scaling")["budgets"]
        assert max(p.settings("scaling")["budgets"]) / min(p.settings("scaling")["budgets"]) > max(quick) / min(quick)


def test_standard_profile_is_the_middle_scale_on_held_out_images():
    standard = pp.gallery.get_profile("standard")
    assert standard.size == 256 and standard.budgets == (1000, 4000, 16000, 64000)
    assert standard.every_family and standard.families == tuple(pp.FAMILIES)
    assert len(standard.images) == 3 and not {"astronaut", "camera"} & set(standard.images)
    assert standard.settings("generalisation")["image"] not in ("astronaut", "camera")
    assert set(standard.experiments) == {"crowding", "generalisation", "scaling"}
    assert standard.lens_budget in standard.budgets
    quick, full = pp.gallery.get_profile("quick"), pp.gallery.get_profile("full")
    for attr in ("size", "steps", "film_steps", "heal_steps"):  # between quick's scale and full's
        assert getattr(quick, attr) <= getattr(standard, attr) <= getattr(full, attr), attr
    # crowding's "every family" is every family that can hold K images in one network
    assert standard.settings("crowding")["families"] == [f for f in pp.FAMILIES if pp.fields.takes_embedding(f)]
    assert "grid" in standard.families and "grid" not in standard.settings("crowding")["families"]


def test_cli_gallery(tmp_path, capsys, monkeypatch):
    from pixparam.cli import main
    from pixparam.gallery import spec

    tiny = TINY.with_(images=("camera",), families=("relu",), name="quick", experiments={})
    monkeypatch.setitem(spec.PROFILES, "quick", tiny)
    code = main(["gallery", "--out", str(tmp_path / "g"), "--profile", "quick", "--only", "lens", "-q"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "gallery (quick) written" in out and (tmp_path / "g" / "index.html").exists()


def test_the_default_profile_never_replaces_a_gallery_of_another_profile(tmp_path, capsys, monkeypatch):
    from pixparam.cli import main
    from pixparam.gallery import spec

    tiny = TINY.with_(images=("camera",), families=("relu",), name="quick", experiments={})
    monkeypatch.setitem(spec.PROFILES, "quick", tiny)
    monkeypatch.setitem(spec.PROFILES, "standard", tiny.with_(name="standard"))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # the default here is quick
    out = tmp_path / "g"
    assert main(["gallery", "--out", str(out), "--profile", "standard", "--only", "lens", "-q"]) == 0
    before = {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()}
    capsys.readouterr()
    assert main(["gallery", "--out", str(out), "--only", "lens", "-q"]) == 1
    _, err = capsys.readouterr()
    assert err == (
        f"pixparam: error: {str(out)!r} holds a 'standard' gallery and the default profile here is 'quick', "
        "which would replace its figures; pass --profile standard to rebuild it, or --out for a new folder\n"
    )
    assert {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()} == before  # nothing was touched
    with pytest.raises(pp.ConfigError, match="holds a 'standard' gallery"):
        build_gallery(out, only="lens", device="cpu", progress=False)
    # named, the profile rebuilds it; a default that matches the build goes ahead; a new folder is no build
    assert main(["gallery", "--out", str(out), "--profile", "quick", "--only", "lens", "-q"]) == 0
    assert main(["gallery", "--out", str(out), "--only", "lens", "-q"]) == 0
    assert json.loads((out / "results.json").read_text())["profile"]["name"] == "quick"
    assert main(["gallery", "--out", str(tmp_path / "new"), "--only", "lens", "-q"]) == 0


# --------------------------------------------------------------------------- a real browser


def test_page_in_headless_chromium(built, tmp_path, chromium):
    executable, sync_api = chromium
    data = page_data(built)
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    with serve(built) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=[*args, "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        errors, failed = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(f"{url}/index.html", wait_until="load")
        for y in range(0, page.evaluate("document.body.scrollHeight"), 600):  # lazy images load as they near view
            page.evaluate(f"window.scrollTo(0, {y})")
            page.wait_for_timeout(20)
        page.wait_for_load_state("networkidle")
        page.evaluate("window.scrollTo(0, 0)")
        # every image loads, except a film's GIF inside its <video>: the fallback only a browser without video shows
        broken = page.eval_on_selector_all(
            "img:not(video img)", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).length"
        )
        assert broken == 0
        film = next(s for s in _results(built)["sections"] if s["name"] == "films")["figures"][0]
        if "mp4" not in film:  # PyAV missing: the GIF alone
            assert page.locator("video").count() == 0
        else:
            page.locator("video").scroll_into_view_if_needed()
            page.wait_for_function("document.querySelector('video').readyState >= 1", timeout=10_000)
            video = page.eval_on_selector(
                "video",
                "v => ({w: v.videoWidth, h: v.videoHeight, d: v.duration, muted: v.muted, loop: v.loop, "
                "inline: v.playsInline, controls: v.controls, fallback: v.querySelector('img').getAttribute('src')})",
            )
            assert (video["w"], video["h"]) == (film["width"], film["height"]) and video["fallback"] == film["gif"]
            assert video["muted"] and video["loop"] and video["inline"] and video["controls"]
            assert video["d"] == pytest.approx((TINY.film_frames - 1) / 4 + 1.5, abs=0.05)  # 4 fps, the last held 1.5 s

        def state():
            return (
                page.get_attribute("#net", "src"),
                page.get_attribute("#pix", "src"),
                page.inner_text("#net-numbers"),
                page.inner_text("#pix-numbers"),
            )

        page.focus("#budget")
        page.keyboard.press("Home")
        first = state()
        page.keyboard.press("ArrowRight")
        second = state()
        assert all(a != b for a, b in zip(first, second)), (first, second)  # both images and both numbers move
        image, family = data["images"][0], page.input_value("#family")
        panel = data["panels"][image][str(data["budgets"][1])]
        assert second[0] == panel[family]["src"] and second[1] == panel["pixels"]["src"]
        shown = ["lossless" if v is None else f"{v:.1f} dB" for v in (panel[family]["psnr"], panel["pixels"]["psnr"])]
        assert shown[0] in second[2] and shown[1] in second[3]
        page.select_option("#image", "coffee")
        h, w = data["shapes"]["coffee"]
        box = page.locator("#viewer").bounding_box()
        assert box["width"] / box["height"] == pytest.approx(w / h, rel=0.03)  # not stretched to a square
        page.mouse.click(box["x"] + 0.25 * box["width"], box["y"] + box["height"] / 2)
        assert abs(int(page.input_value("#split")) - 25) <= 1  # dragging moves the split
        assert page.get_attribute("#split", "aria-valuetext") == "25% network, 75% pixels"
        budget = data["budgets"][int(page.input_value("#budget"))]
        assert page.get_attribute("#budget", "aria-valuetext") == f"{pp.format_count(budget)} values"
        # blocks or the bicubic image the pixels' PSNR is of
        pixels = data["panels"]["coffee"][str(budget)]["pixels"]
        assert page.get_attribute("#pix", "src") == pixels["src"]
        page.select_option("#pixmode", "bicubic")
        assert page.get_attribute("#pix", "src") == pixels["smooth"] and "bicubic" in page.get_attribute("#pix", "alt")
        lazy = page.eval_on_selector_all(
            "figure img", "els => els.filter(e => e.loading === 'lazy' && e.getAttribute('width')).length"
        )
        assert lazy == page.locator("figure img").count() > 0
        # every still figure opens full size on a tap; films have their own controls
        enlarge = page.eval_on_selector_all(
            "figure img",
            "els => els.filter(e => e.closest('video') === null && e.closest('a.enlarge') === null)"
            ".map(e => e.getAttribute('src'))",
        )
        assert enlarge == [], enlarge
        shot = tmp_path / "page.png"
        page.screenshot(path=str(shot), full_page=True)
        small = browser.new_page(viewport={"width": 390, "height": 844})
        small.goto(f"{url}/index.html", wait_until="load")
        phone = small.evaluate(
            "() => ({overflow: document.documentElement.scrollWidth - window.innerWidth, "
            "touch: getComputedStyle(document.getElementById('viewer')).touchAction})"
        )
        browser.close()
    assert not errors, errors
    assert not failed, failed
    assert phone["overflow"] <= 0 and phone["touch"] == "pan-y", phone  # no sideways scroll; the page scrolls over it
    with Image.open(shot) as im:
        pixels = np.asarray(im.convert("RGB"), dtype=np.float32)
    assert pixels.std() > 20 and len(np.unique(pixels.reshape(-1, 3)[::97], axis=0)) > 50  # not blank


def test_hero_comes_first_with_the_social_preview_and_image_credits(built):
    res = _results(built)
    hero = res["sections"][0]
    assert hero["name"] == "hero" and hero["figures"][0]["png"] == "hero.png"
    for b, cell in hero["numbers"]["budgets"].items():
        # a None score is no file (named in no_file) or lossless (infinite PSNR, written as null)
        scores = {k: np.inf if cell[k] is None else cell[k] for k in ("network", "pixels", "jpeg")}
        scores = {k: v for k, v in scores.items() if k not in cell["no_file"]}
        assert hero["numbers"]["winner"][b] == max(scores, key=scores.get)
    page = (built / "index.html").read_text()
    n = sum(v == "network" for v in hero["numbers"]["winner"].values())
    assert '<meta property="og:image" content="hero.png">' in page
    assert f"the network beats pixels and JPEG at {n} of {len(TINY.budgets)} budgets" in page
    assert page.index('id="hero"') < page.index("Network or pixels?")  # the hero before the interactive part
    assert page.count('<section id="hero">') == 1
    credit = sample_credit("coffee")
    assert "CC0 by the photographer (Rachel Michetti)" in credit and credit in page.replace("&#x27;", "'")
    assert f"coffee: {credit}" in (built / "README.md").read_text()


def test_sample_credit_quotes_scikit_image_or_says_it_states_none():
    assert "public domain" in sample_credit("rocket") and "spacexphotos" in sample_credit("rocket")
    assert sample_credit("camera") == "shipped with scikit-image; its documentation states no licence for it"
    with pytest.raises(pp.ImageError, match="not a built-in sample; choose from astronaut"):
        sample_credit("lena")
