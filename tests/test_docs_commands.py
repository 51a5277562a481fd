"""Every shell command in README.md and docs/*.md runs (issue #13: the README's own lines must work).

The commands are read from the ```bash blocks (continuation lines joined,
comments dropped, ``&&`` chains split) and run in-process through
``pixparam.cli.main`` in a scratch folder holding ``photo.jpg``, in the
order written (the README's ``fit`` makes the ``photo.safetensors`` that
``render``, ``info`` and ``edit`` use). To keep the suite fast they run at
toy scale, each rewrite a plain substitution of an option's value:

- ``--size`` → 16 (``render``: 24; experiments: 8), ``--steps`` → 2
  per entry (``300,3000`` → ``2,2``), ``--budget``/``--budgets`` → 300/600,
  ``--seeds`` → 1, ``--ks`` → ``1,2``, ``/tmp/...`` → the scratch folder;
  ``fit``, ``compare``, ``curve``, ``demo`` and ``experiment`` get
  ``--steps 2`` and ``--size 16`` (experiments 8) when they do not say
  (``demo`` also ``--budgets 300``, crowding ``--ks 1,2``): their defaults
  train for minutes.
- ``sweep`` runs a toy spec written in the scratch folder (coins at 16 px,
  budgets 200 and 400, relu, 2 steps) in place of the one named, in one process.
- ``pixparam gallery`` builds take minutes, so those lines are parsed (every
  option checked) but not run; ``tests/test_gallery.py`` builds a tiny gallery.
- Install lines (``pip install``) and ``python -m pytest`` are not run: they
  are what runs this test.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from pixparam.cli import main, parse

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

SKIP = ("python -m pip install", "pip install", "python -m pytest", "python -m sphinx")  # CI builds the site itself
PARSE_ONLY = ("gallery",)


def doc_commands() -> list[tuple[str, str]]:
    """``(where, command)`` for every command of every ```bash block, in document order."""
    found = []
    for doc in DOCS:
        for i, block in enumerate(re.findall(r"```(?:bash|sh|shell)\n(.*?)```", doc.read_text(), re.S)):
            text = re.sub(r"\\\n\s*", " ", block)
            for line in text.splitlines():
                line = line.split(" #")[0].strip()
                for command in (c.strip() for c in line.split("&&")):
                    if command and not command.startswith("#"):
                        found.append((f"{doc.name}#{i}", command))
    return found


COMMANDS = doc_commands()


def toy(argv: list[str], scratch: Path) -> list[str]:
    """``argv`` at toy scale (see the module docstring)."""
    out = list(argv)
    command = out[0]
    name = out[1] if command == "experiment" and len(out) > 1 else None
    for i, arg in enumerate(out[:-1]):
        value = out[i + 1]
        if arg == "--size":
            out[i + 1] = "24" if command == "render" else ("8" if command == "experiment" else "16")
        elif arg == "--steps":
            out[i + 1] = ",".join("2" for _ in value.split(","))
        elif arg == "--budget":
            out[i + 1] = "600"
        elif arg == "--budgets":
            out[i + 1] = "300" if name == "crowding" else "300,600"
        elif arg == "--seeds":
            out[i + 1] = "1"
        elif arg == "--ks":
            out[i + 1] = "1,2"
    out = [str(scratch / a[len("/tmp/") :]) if a.startswith("/tmp/") else a for a in out]
    if command == "demo" and "--budgets" not in out:
        out += ["--budgets", "300"]
    if command in ("fit", "compare", "curve", "demo", "experiment"):  # their defaults train for minutes
        if "--steps" not in out:
            out += ["--steps", "2,2" if name in ("generalisation", "scaling") else "2"]
        if "--size" not in out:
            out += ["--size", "8" if command == "experiment" else "16"]
    if command == "sweep":
        out[1] = str(scratch / "sweep.toml")
        if "--workers" not in out:
            out += ["--workers", "1"]
    if name == "crowding" and "--ks" not in out:
        out += ["--ks", "1,2"]
    return out


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    from PIL import Image

    import pixparam as pp

    d = tmp_path_factory.mktemp("docs")
    img = pp.load_image("coffee", size=48)
    Image.fromarray((img * 255).round().astype("uint8")).save(d / "photo.jpg")
    (d / "benchmarks" / "results").mkdir(parents=True)
    (d / "sweep.toml").write_text('images = "coins"\nsize = 16\nbudgets = [200, 400]\nfamilies = "relu"\nsteps = 2\n')
    return d


def test_the_docs_have_commands():
    names = {shlex.split(c)[:2][-1] for _, c in COMMANDS if c.startswith("pixparam")}
    assert {"fit", "render", "info", "demo", "compare", "curve", "edit", "gallery", "experiment"} <= names


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[f"{w}:{c[:60]}" for w, c in COMMANDS])
def test_doc_command_runs(where, command, scratch, capsys, monkeypatch):
    if command.startswith(SKIP):
        pytest.skip("installs and the test run itself are not run here")
    argv = shlex.split(command)
    assert argv[0] in ("pixparam", "python"), f"{where}: a command pixparam does not provide: {command}"
    if argv[0] == "python":
        assert argv[1:3] == ["-m", "pixparam"], f"{where}: {command}"
        argv = argv[2:]
    argv = toy(argv[1:], scratch)
    monkeypatch.chdir(scratch)
    if argv[0] in PARSE_ONLY:
        args = parse(argv)
        assert args.command == argv[0]
        return
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, f"{where}: pixparam {' '.join(argv)}\n{out}\n{err}"
    assert "Traceback" not in err
