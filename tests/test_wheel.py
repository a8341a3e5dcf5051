"""The wheel a user installs: built from this source, installed into a fresh virtual environment in a temporary
folder outside the repository, and run there through its `micrograd-tui` entry point, which must find every
sample by name and replay it (`micrograd-tui samples`, `micrograd-tui check NAME...`).

Kept fast without pretending: the wheel is built and installed without downloads (`--no-build-isolation`,
`--no-deps`; the build backend comes with the test extra), and the new environment borrows the test
environment's third-party packages through a path file appended after its own site-packages. The run leaves
the repository out of the picture (no PYTHONPATH, a working folder elsewhere) and asserts that the modules it
imported came from the new environment, so only what the wheel holds is tested.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tui import samples

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{command} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of the source, so the build's own files (build/, *.egg-info) never land in the repo."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for package in ("micrograd", "tui"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(out),
            str(source),
        ]
    )
    (built,) = out.glob("micrograd_tui-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its bin folder."""
    home = tmp_path_factory.mktemp("venv")
    assert not home.is_relative_to(ROOT)
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)])
    purelib = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    # numpy, Textual, ... from the test environment, searched after the new environment's own packages.
    (purelib / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return home / "bin"


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}


def test_the_wheel_holds_the_packages_the_stylesheet_and_every_sample(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("tui/sample_sessions/")}
    assert shipped == {p.name for p in samples.folder().glob("*.json")} and len(shipped) >= 9
    assert "tui/app.tcss" in names and "tui/cli.py" in names and "micrograd/engine.py" in names
    assert not [n for n in names if n.startswith(("tests/", "scripts/", "benchmarks/"))]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "micrograd-tui = tui.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_installed_entry_point_lists_and_replays_every_sample_by_name(installed, tmp_path):
    env = clean_environment()
    where = run(
        [str(installed / "python"), "-c", "import tui, micrograd; print(tui.__file__, micrograd.__file__)"],
        cwd=tmp_path,
        env=env,
    ).stdout.split()
    assert all(Path(w).is_relative_to(installed.parent) for w in where), where  # not the checkout

    listed = run([str(installed / "micrograd-tui"), "samples"], cwd=tmp_path, env=env).stdout.splitlines()
    names = [line.split()[0] for line in listed]
    assert sorted(names) == sorted(p.stem for p in samples.folder().glob("*.json"))
    assert "moons_demo" in names

    done = run([str(installed / "micrograd-tui"), "check", *names], cwd=tmp_path, env=env)
    lines = done.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["OK", name] for name in names], done.stdout
