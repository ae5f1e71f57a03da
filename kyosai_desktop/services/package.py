"""The package file: a readable manifest and an encrypted, checksummed payload.

Layout (all integers big-endian)::

    MAGIC (12 bytes) | manifest length (4) | manifest (UTF-8 JSON)
    | salt (16) | nonce (12) | ciphertext length (8) | ciphertext | SHA-256 of everything before (32)

The manifest (kind, branch, database ids, range, counts by kind, created at, app and schema
version) can be read without the passphrase and holds no personal data.  The payload is
zlib-compressed and encrypted with AES-256-GCM (``cryptography``); the key comes from the
passphrase with scrypt; the manifest is the GCM associated data, so a changed manifest is
refused like a changed payload.  The trailing SHA-256 tells a truncated or damaged file
apart from a wrong passphrase.  Payload parts are named byte strings.

Nothing here is specific to the laptop exchange; another package kind can reuse it.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"KYOSAI-PKG\x00\x01"
SALT_LEN, NONCE_LEN, SUM_LEN = 16, 12, 32
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE = 8


class PackageError(Exception):
    """A package that cannot be read or written; the message is for the clerk (Japanese)."""


@dataclass
class Package:
    manifest: dict
    parts: dict[str, bytes]


def _key(passphrase: str, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(
        passphrase.encode("utf-8")
    )


def check_passphrase(passphrase: str | None) -> str:
    if not passphrase or len(passphrase) < MIN_PASSPHRASE:
        raise PackageError(f"パスフレーズは{MIN_PASSPHRASE}文字以上で指定してください。")
    return passphrase


def _pack_parts(parts: dict[str, bytes]) -> bytes:
    header = json.dumps([[name, len(data)] for name, data in parts.items()]).encode()
    return struct.pack(">I", len(header)) + header + b"".join(parts.values())


def _unpack_parts(blob: bytes) -> dict[str, bytes]:
    (hlen,) = struct.unpack_from(">I", blob, 0)
    header = json.loads(blob[4 : 4 + hlen])
    out, pos = {}, 4 + hlen
    for name, length in header:
        out[name] = blob[pos : pos + length]
        pos += length
    if pos != len(blob):
        raise PackageError("パッケージの中身が壊れています。")
    return out


def write_package(
    path: Path | str, manifest: dict, parts: dict[str, bytes], passphrase: str
) -> int:
    """Write the package atomically (temp file + rename); return its size in bytes."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    check_passphrase(passphrase)
    path = Path(path)
    man = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
    salt, nonce = os.urandom(SALT_LEN), os.urandom(NONCE_LEN)
    sealed = AESGCM(_key(passphrase, salt)).encrypt(
        nonce, zlib.compress(_pack_parts(parts), 1), MAGIC + man
    )
    body = b"".join(
        [
            MAGIC,
            struct.pack(">I", len(man)),
            man,
            salt,
            nonce,
            struct.pack(">Q", len(sealed)),
            sealed,
        ]
    )
    data = body + hashlib.sha256(body).digest()
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PackageError(
            f"パッケージを書き込めません: {path}\n詳細: {exc.strerror or exc}"
        ) from exc
    return len(data)


def _read_bytes(path: Path | str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise PackageError(f"パッケージを読めません: {path}\n詳細: {exc.strerror or exc}") from exc


def _split(data: bytes) -> tuple[bytes, dict, bytes]:
    """(manifest bytes, manifest, the sealed rest) after the format and checksum checks."""
    if not data.startswith(MAGIC):
        raise PackageError("このファイルはこのアプリのパッケージではありません。")
    if (
        len(data) < len(MAGIC) + 4 + SUM_LEN
        or hashlib.sha256(data[:-SUM_LEN]).digest() != data[-SUM_LEN:]
    ):
        raise PackageError(
            "パッケージが途中で切れているか壊れています (チェックサムが一致しません)。"
            "書き出し直したファイルを使ってください。"
        )
    (mlen,) = struct.unpack_from(">I", data, len(MAGIC))
    start = len(MAGIC) + 4
    man = data[start : start + mlen]
    try:
        manifest = json.loads(man.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError("パッケージの目録が壊れています。") from exc
    return man, manifest, data[start + mlen : -SUM_LEN]


def read_manifest(path: Path | str) -> dict:
    """The manifest, without the passphrase (the checksum is verified)."""
    return _split(_read_bytes(path))[1]


def read_package(path: Path | str, passphrase: str) -> Package:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    man, manifest, rest = _split(_read_bytes(path))
    if len(rest) < SALT_LEN + NONCE_LEN + 8:
        raise PackageError("パッケージが途中で切れています。")
    salt, nonce = rest[:SALT_LEN], rest[SALT_LEN : SALT_LEN + NONCE_LEN]
    (clen,) = struct.unpack_from(">Q", rest, SALT_LEN + NONCE_LEN)
    sealed = rest[SALT_LEN + NONCE_LEN + 8 :]
    if clen != len(sealed):
        raise PackageError("パッケージが途中で切れています。")
    try:
        plain = AESGCM(_key(passphrase or "", salt)).decrypt(nonce, sealed, MAGIC + man)
    except InvalidTag as exc:
        raise PackageError(
            "パスフレーズが違います (またはパッケージが改ざんされています)。何も変更していません。"
        ) from exc
    try:
        parts = _unpack_parts(zlib.decompress(plain))
    except (zlib.error, struct.error, ValueError) as exc:
        raise PackageError("パッケージの中身が壊れています。") from exc
    return Package(manifest, parts)
