"""Key files: read when they exist, made once when they do not.

Two replicas starting together may both find no file; O_EXCL lets exactly one
write it, and the other reads what the first wrote.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kisalli_shared.sealed import new_key

_WAIT_FOR_WRITER = 2.0


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    if path.exists():
        return _read_complete(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_complete(path)
    content = make()
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    return content


def _read_complete(path: Path) -> bytes:
    # The writer may be between creating the file and writing it.
    deadline = time.monotonic() + _WAIT_FOR_WRITER
    content = path.read_bytes()
    while not content and time.monotonic() < deadline:
        time.sleep(0.01)
        content = path.read_bytes()
    return content


def new_signing_key_pem() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_signing_key(path: Path) -> ec.EllipticCurvePrivateKey:
    pem = read_or_create(path, new_signing_key_pem)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(
        key.curve, ec.SECP256R1
    ):
        raise ValueError(f"{path} does not hold a P-256 private key (ES256)")
    return key


def load_sealing_key(path: Path) -> str:
    return read_or_create(path, lambda: new_key().encode()).decode().strip()
