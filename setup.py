"""Build steps pyproject.toml cannot declare: the SPARQL editor and the build's git commit.

Everything else about the package is in pyproject.toml. See tools/wheel_assets.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))

import wheel_assets  # noqa: E402  (found through the line above, in the source tree being built)


def _vendor(command) -> None:
    try:
        command.announce(wheel_assets.vendor_editor(ROOT), level=2)
    except wheel_assets.AssetError as exc:
        raise SystemExit(f"error: {exc}") from None


class BuildPy(build_py):
    """Adds the editor's files and build-info.json to a wheel (not to an editable install,
    which serves the clone's node_modules and asks git)."""

    def run(self) -> None:
        if not getattr(self, "editable_mode", False):
            _vendor(self)
            self.__dict__.pop("data_files", None)  # found again, now with the editor's files
        super().run()
        if not getattr(self, "editable_mode", False):
            wheel_assets.write_build_info(ROOT, Path(self.build_lib) / wheel_assets.BUILD_INFO)


class Sdist(sdist):
    """An sdist carries the editor's files and the commit, so a wheel built from it needs
    neither npm nor git."""

    def run(self) -> None:
        _vendor(self)
        self.distribution.get_command_obj("build_py").__dict__.pop("data_files", None)
        super().run()

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        wheel_assets.write_build_info(ROOT, Path(base_dir) / wheel_assets.BUILD_INFO)


setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
