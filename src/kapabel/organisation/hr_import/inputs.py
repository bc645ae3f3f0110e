"""Where an import's files come from: a folder, a zip or one file on disk (`kapabel import-hr`), or
the files uploaded on the web page or through the API, which are kept as they were uploaded until the
background task reads them. Files are opened only when read (see `reading.InputFile`), so a zip is
never unpacked into memory, and what the files unpack to counts against the import's limits.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from kapabel.organisation.hr_import.reading import Budget, FileProblem, InputFile

CHUNK = 1 << 20


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> InputFile:
    """A zip member, unpacked only when read (and never past the size its header declares)."""

    def opener() -> IO[bytes]:
        return archive.open(info)

    return InputFile(Path(info.filename).name, opener, info.file_size)


def _members(archive: zipfile.ZipFile) -> dict[str, InputFile]:
    """A zip's files by their base names; folders and hidden files (macOS's "._bruger.csv") left out."""
    return {
        Path(info.filename).name: _member(archive, info)
        for info in archive.infolist()
        if not info.is_dir() and not Path(info.filename).name.startswith(".")
    }


def files_from_zip(name: str, stream: IO[bytes]) -> dict[str, InputFile] | None:
    """The files of a zip (None when it is not a readable zip: then it is read as the file it is)."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    return _members(archive)


def files_from_upload(name: str, data: bytes) -> dict[str, InputFile]:
    """One uploaded file; a zip is opened and its files taken by their base names."""
    if name.lower().endswith(".zip"):
        members = files_from_zip(name, io.BytesIO(data))
        if members is not None:
            return members
    return {name: InputFile.from_bytes(name, data)}


def files_from_path(path: Path) -> dict[str, InputFile]:
    """A folder, a zip, or one file, as {file name: file}, read from disk only when needed."""

    def on_disk(file: Path) -> InputFile:
        return InputFile(file.name, lambda: file.open("rb"), file.stat().st_size)

    if path.is_dir():
        return {p.name: on_disk(p) for p in sorted(path.iterdir()) if p.is_file()}
    if path.name.lower().endswith(".zip"):
        members = files_from_zip(path.name, path.open("rb"))
        if members is not None:
            return members
    return {path.name: on_disk(path)}


def _described(name: str, stream: IO[bytes]) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return {"name": name, "sha256": digest.hexdigest(), "bytes": size}


def checksums_of_path(path: Path) -> list[dict[str, Any]]:
    """The files as given on the command line (a folder's files, or the zip or sheet itself): name,
    size and SHA-256, read from disk in chunks."""
    described = []
    for file in sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]:
        with file.open("rb") as stream:
            described.append(_described(file.name, stream))
    return described


def checksums_of(files: Mapping[str, bytes | InputFile]) -> list[dict[str, Any]]:
    """Name, size and SHA-256 of each file (scripts and tests that give the files themselves). A file
    that unpacks past the import's limit is not read to its end (the import is refused anyway)."""
    described = []
    budget = Budget()
    for name, data in sorted(files.items()):
        try:
            with data.open(budget) if isinstance(data, InputFile) else io.BytesIO(data) as stream:
                described.append(_described(name, stream))
        except FileProblem:
            size = data.size if isinstance(data, InputFile) else len(data)
            described.append({"name": name, "sha256": "", "bytes": size})
    return described


# --- The upload, kept until the background task reads it ---------------------------------------


def pack(uploads: Iterable[tuple[str, Iterable[bytes]]]) -> tuple[bytes, list[dict[str, Any]]]:
    """The uploaded files, as they came, in one zip archive, and each file's name, size and SHA-256.
    Written chunk by chunk as the upload is read, so only the archive is ever held in memory: CSV is
    lightly compressed (it shrinks about tenfold); zip and XLSX files, compressed already, are stored
    as they are (and so can be opened where they lie, see `unpack`)."""
    buffer = io.BytesIO()
    described = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for index, (name, chunks) in enumerate(uploads):
            base = Path(name).name or "upload"
            pieces = iter(chunks)
            first = next(pieces, b"")
            archive.compression = zipfile.ZIP_STORED if first.startswith(b"PK") else zipfile.ZIP_DEFLATED
            digest, size = hashlib.sha256(), 0
            with archive.open(f"{index:03d}/{base}", "w", force_zip64=True) as member:
                for chunk in itertools.chain([first], pieces):
                    digest.update(chunk)
                    size += len(chunk)
                    member.write(chunk)
            described.append({"name": base, "sha256": digest.hexdigest(), "bytes": size})
    return buffer.getvalue(), described


def unpack(blob: bytes) -> dict[str, InputFile]:
    """The files of a kept upload, as the import reads them. An uploaded zip is opened where it lies in
    the archive (its directory is read; its members are unpacked only when read, within the limits)."""
    archive = zipfile.ZipFile(io.BytesIO(blob))
    files: dict[str, InputFile] = {}
    for info in archive.infolist():
        name = Path(info.filename).name
        if name.lower().endswith(".zip"):
            members = files_from_zip(name, archive.open(info))
            if members is not None:
                files.update(members)
                continue
        files[name] = _member(archive, info)
    return files
