"""Shared fixtures: tiny images, fixed seeds; ``--runslow`` opts into slow tests.

``--device cuda`` (default ``cpu``) runs the core invariants on a GPU: the
``device`` fixture, the tiny fits and every test that takes ``device``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import pixparam as pp


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")
    parser.addoption("--device", default="cpu", help="device for the core invariants: cpu (default), cuda, mps")


@pytest.fixture(scope="session")
def device(pytestconfig: pytest.Config) -> str:
    """The ``--device`` the core tests train and render on (checked once)."""
    name = pytestconfig.getoption("--device")
    try:
        return str(pp.resolve_device(name))
    except pp.DeviceError as exc:
        pytest.exit(f"--device {name}: {exc}", returncode=4)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def rgb32() -> np.ndarray:
    """The astronaut sample at 32×32 RGB."""
    return pp.load_image("astronaut", size=32)


@pytest.fixture(scope="session")
def gray24() -> np.ndarray:
    """The camera sample at 24×24 gray."""
    return pp.load_image("camera", size=24)


@pytest.fixture(scope="session")
def tiny_fits(rgb32: np.ndarray, device: str) -> dict[str, pp.Fit]:
    """One short fit per family on the 32-px RGB image, on ``--device`` (built once per session)."""
    return {f: pp.fit(rgb32, 1500, f, steps=30, device=device, progress=False) for f in pp.FAMILIES}


@pytest.fixture
def newfam() -> Iterator[str]:
    """A family registered for one test: the relu network under another name ("newfam")."""
    import dataclasses

    relu = pp.fields.spec_for("relu")

    def plan(budget: int, channels: int, resolution: int, options: dict) -> pp.Arch:
        return dataclasses.replace(relu.plan(budget, channels, resolution, options), family="newfam")

    pp.fields.register(dataclasses.replace(relu, name="newfam", plan=plan))
    try:
        yield "newfam"
    finally:
        pp.fields.unregister("newfam")


@pytest.fixture(scope="session")
def chromium() -> tuple[str, Any]:
    """Debian's Chromium and Playwright's ``sync_api``: ``(executable path, module)``.

    Skips when either is missing; CI sets ``PIXPARAM_REQUIRE_BROWSER=1``, which
    turns the skip into a failure.
    """
    required = os.environ.get("PIXPARAM_REQUIRE_BROWSER") == "1"
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        assert not required, "PIXPARAM_REQUIRE_BROWSER=1 but chromium is not installed"
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        assert not required, "PIXPARAM_REQUIRE_BROWSER=1 but playwright is not installed"
        pytest.skip("needs playwright (pip install playwright)")
    return path, sync_api
