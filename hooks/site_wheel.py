"""Build the package's wheel in memory: pure Python, no network, no build backend.

``build_wheel(root)`` reads the name, version, summary, Python requirement and
dependencies from ``pyproject.toml`` and zips ``src/backprop/*.py`` with the
``.dist-info`` files a wheel needs (PEP 427, PEP 376's RECORD, Core Metadata 2.1). The
bytes are reproducible: entries in sorted order, a fixed timestamp, fixed permissions,
stored uncompressed (so no zlib version can change them).
It takes a few milliseconds, so ``mkdocs build`` and ``mkdocs serve`` make it every time
(hooks/downloads.py), and the wheel always holds the code the site shows.

Run as a script to write the wheel into a folder: ``python hooks/site_wheel.py dist/``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import sys
import zipfile
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the copy of tomli that every pip vendors
    from pip._vendor import tomli as tomllib

PACKAGE = "backprop"                     # the import name
DATE = (1980, 1, 1, 0, 0, 0)             # the earliest date a zip can store: reproducible
TAG = "py3-none-any"


def project(root: Path) -> dict:
    """[project] of pyproject.toml, checked against the package's __version__."""
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    init = (root / "src" / PACKAGE / "__init__.py").read_text(encoding="utf-8")
    version = re.search(r'^__version__ = "([^"]+)"', init, re.MULTILINE)
    if version is None or version[1] != meta["version"]:
        raise ValueError(
            f"src/{PACKAGE}/__init__.py: expected __version__ = \"{meta['version']}\" "
            f"as in pyproject.toml, got {version[1] if version else 'none'}"
        )
    return meta


def wheel_name(meta: dict) -> str:
    """The wheel's file name, with the distribution name normalised as PEP 427 asks."""
    name = re.sub(r"[-_.]+", "_", meta["name"]).lower()
    return f"{name}-{meta['version']}-{TAG}.whl"


def metadata(meta: dict, urls: dict[str, str]) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {meta['name']}",
        f"Version: {meta['version']}",
        f"Summary: {meta['description']}",
        f"License: {meta.get('license', '')}",
        f"Requires-Python: {meta['requires-python']}",
        *(f"Requires-Dist: {dep}" for dep in meta.get("dependencies", [])),
        *(f"Project-URL: {label}, {url}" for label, url in urls.items() if url),
        "Description-Content-Type: text/markdown",
        "",
        f"The `{PACKAGE}` package behind the site *The gradient at the last layer*: small, "
        "exact NumPy reference code for the gradient of the loss at the last layer of a "
        "neural network, each loss next to its gradient, and a gradient checker.",
        "",
        f"The distribution is called `{meta['name']}` because the name `{PACKAGE}` on PyPI "
        f"belongs to an unrelated project; the import name is `{PACKAGE}`.",
        "",
    ]
    return "\n".join(lines)


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build_wheel(root: Path, urls: dict[str, str] | None = None) -> tuple[str, bytes]:
    """(file name, bytes) of the wheel of the package in ``root/src``."""
    meta = project(root)
    filename = wheel_name(meta)
    dist_info = filename.split(f"-{TAG}")[0] + ".dist-info"
    files = {
        f"{PACKAGE}/{path.name}": path.read_bytes()
        for path in sorted((root / "src" / PACKAGE).glob("*.py"))
    }
    files[f"{dist_info}/METADATA"] = metadata(meta, urls or {}).encode()
    files[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: hooks/site_wheel.py\nRoot-Is-Purelib: true\nTag: {TAG}\n"
    ).encode()
    record = [_record_line(path, data) for path, data in files.items()]
    files[f"{dist_info}/RECORD"] = ("\n".join(record + [f"{dist_info}/RECORD,,"]) + "\n").encode()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as wheel:
        for path, data in files.items():  # RECORD last, as the spec recommends
            info = zipfile.ZipInfo(path, date_time=DATE)
            info.external_attr = 0o644 << 16
            wheel.writestr(info, data)
    return filename, buffer.getvalue()


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "dist")
    out.mkdir(parents=True, exist_ok=True)
    name, data = build_wheel(Path(__file__).resolve().parent.parent)
    (out / name).write_bytes(data)
    print(out / name)
