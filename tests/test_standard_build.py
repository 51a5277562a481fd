"""``benchmarks/_standard_build.py``: a standard gallery's build time, section by section, from its results.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
sb = pytest.importorskip("_standard_build")

NAMES = ["hero", "pixels", "crowding", "scaling"]
META = {"pixparam": "0.1.0", "torch": "2.13.0+cpu", "device": "cpu"}


def _results(built: dict[str, tuple[str, float]], name: str = "standard") -> dict:
    sections = [{"name": n, "build": {"run": run, "seconds": s}} for n, (run, s) in built.items()]
    return {"meta": META, "profile": {"name": name}, "sections": sections}


def test_a_build_in_progress_lists_each_section_its_minutes_and_what_is_left():
    found = ("gallery/results.json", _results({
        "crowding": ("2026-12-02T06:12:03.131+00:00", 597.0), "scaling": ("2026-12-02T06:40:27.000+00:00", 1500.0),
    }))  # fmt: skip
    text = "\n".join(sb.section(found, NAMES))
    assert (
        "| crowding | 2026-12-02 06:12 | 9.9 | – | – | 9.9 |\n| scaling | 2026-12-02 06:40 | 25.0 | – | – | 25.0 |"
        in text
    )
    assert "2 of 4 sections built, 35.0 min in all. Not built yet: hero, pixels." in text
    row = sb.target_row(found, NAMES, 30)
    assert row.endswith("| measured: 2 of 4 sections built so far: 35 min (crowding 10, scaling 25) | missed |")
    under = ("x", _results({"crowding": ("2026-12-02T06:12:03", 600.0)}))
    assert sb.target_row(under, NAMES, 30).endswith("so far: 10 min (crowding 10) | open |")  # not done, not over


def test_a_section_built_on_fits_an_earlier_sitting_trained_counts_their_training():
    results = _results({"crowding": ("2026-12-02T06:12:03", 600.0), "hero": ("2026-12-03T09:00:00", 300.0)})
    results["sections"][1]["build"].update(fits_trained=40, fits_reused=56, reused_fit_seconds=3300.0)
    found = ("gallery/results.json", results)
    text = "\n".join(sb.section(found, NAMES))
    assert "| hero | 2026-12-03 09:00 | 5.0 | 40 | 56 (55.0) | 60.0 |" in text
    assert "2 of 4 sections built, 70.0 min in all." in text
    assert sb.target_row(found, NAMES, 30).endswith("so far: 70 min (crowding 10, hero 60) | missed |")


def test_a_finished_build_meets_or_misses_the_target_on_its_total():
    runs = {n: ("2026-12-02T06:00:00", 420.0) for n in NAMES}
    found = ("gallery/results.json", _results(runs))
    assert sb.target_row(found, NAMES, 30).endswith(
        "every section built: 28 min (hero 7, pixels 7, crowding 7, scaling 7) | met |"
    )
    assert "4 of 4 sections built, 28.0 min in all." in "\n".join(sb.section(found, NAMES))
    assert "Not built yet" not in "\n".join(sb.section(found, NAMES))
    assert sb.target_row(None, NAMES, 30) is None


def test_find_reads_the_shop_window_only_when_it_is_a_standard_build(tmp_path):
    assert sb.find(tmp_path) is None
    (tmp_path / "gallery").mkdir()
    (tmp_path / "gallery" / "results.json").write_text(json.dumps(_results({}, name="quick")))
    assert sb.find(tmp_path) is None  # a quick build is not a standard build
    built = _results({"crowding": ("2026-12-02T06:12:03", 600.0)})
    (tmp_path / "gallery" / "results.json").write_text(json.dumps(built))
    assert sb.find(tmp_path) == ("gallery/results.json", built)


def test_the_standard_profile_has_every_story_section():
    from pixparam.gallery import SECTIONS

    assert sb.sections_of_standard() == [s.name for s in SECTIONS]  # the standard profile runs every experiment
