"""The official IATI 2.03 activity schema, for validating the export in the tests.

IATI ships its XSDs inside the source distribution of `pyIATI` on PyPI (under
`iati/resources/standard/2-03/schemas/`). The package itself cannot be installed beside our
pins (it pins lxml 4 and jsonschema 2), so the tests fetch that one archive with pip, check
its hash, and unpack the schemas once per machine.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from lxml import etree

SDIST = "pyIATI-0.4.1.tar.gz"
SHA256 = "b6f8f0d596746bd774ed3e84cdad50dfa7dd501ac70e6399f2bb0244bfd5b0ef"
MEMBERS = "pyIATI-0.4.1/iati/resources/standard/2-03/schemas/"
CACHE = Path(tempfile.gettempdir()) / "itpp-iati-2.03"


def activity_schema() -> etree.XMLSchema:
    schema = CACHE / "schemas" / "iati-activities-schema.xsd"
    if not schema.exists():
        _fetch()
    return etree.XMLSchema(etree.parse(str(schema)))


def _fetch() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    archive = CACHE / SDIST
    if not archive.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "pyIATI==0.4.1",
                "--dest",
                str(CACHE),
            ],
            check=True,
        )
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != SHA256:
        archive.unlink()
        raise RuntimeError(f"{SDIST} has sha256 {digest}, expected {SHA256}")
    target = CACHE / "schemas"
    target.mkdir(exist_ok=True)
    with tarfile.open(archive) as sdist:
        for member in sdist.getmembers():
            if member.isfile() and member.name.startswith(MEMBERS):
                member.name = member.name.removeprefix(MEMBERS)
                sdist.extract(member, target, filter="data")
