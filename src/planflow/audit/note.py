"""C2SP signed notes with Ed25519 keys, and C2SP tlog checkpoints.

Standard library and ``cryptography`` only. Formats (https://c2sp.org/signed-note,
https://c2sp.org/tlog-checkpoint), the same as Go's golang.org/x/mod/sumdb/note:

- signer key:   ``PRIVATE+KEY+<name>+<key hash hex>+<base64(0x01 || 32-byte seed)>``
- verifier key: ``<name>+<key hash hex>+<base64(0x01 || 32-byte public key)>``
- key hash:     the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key)
- a note:       text (ending in a newline), a blank line, then lines
                ``— <name> <base64(key hash || signature over the text)>``
- a checkpoint: the note text ``<origin>\\n<size>\\n<base64 root hash>\\n[extension lines]``
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ALG_ED25519 = 1
DASH = "\u2014"


class NoteError(ValueError):
    """A key, note or checkpoint that is malformed or does not verify."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"invalid base64 {text[:20]!r}") from None


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise NoteError(f"invalid key name {name!r}: no spaces and no '+'")


def key_hash(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public).digest()[:4]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public: Ed25519PublicKey = field(compare=False)

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("a verifier key is <name>+<hash>+<key>")
        name, hash_hex, material = parts
        _check_name(name)
        raw = _unb64(material)
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("only Ed25519 verifier keys (type 0x01) are supported")
        if key_hash(name, raw[1:]).hex() != hash_hex:
            raise NoteError(f"the key hash {hash_hex} does not match the key")
        return cls(name, bytes.fromhex(hash_hex), Ed25519PublicKey.from_public_bytes(raw[1:]))

    def encode(self) -> str:
        raw = bytes([ALG_ED25519]) + _raw_public(self.public)
        return f"{self.name}+{self.key_id.hex()}+{_b64(raw)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self.public.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey = field(compare=False)

    @classmethod
    def parse(cls, skey: str) -> Signer:
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise NoteError("a signer key is PRIVATE+KEY+<name>+<hash>+<key>")
        name, hash_hex, material = parts[2], parts[3], parts[4]
        _check_name(name)
        raw = _unb64(material)
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("only Ed25519 signer keys (type 0x01) are supported")
        private = Ed25519PrivateKey.from_private_bytes(raw[1:])
        if key_hash(name, _raw_public(private.public_key())).hex() != hash_hex:
            raise NoteError(f"the key hash {hash_hex} does not match the key")
        return cls(name, private)

    @classmethod
    def generate(cls, name: str) -> Signer:
        _check_name(name)
        return cls(name, Ed25519PrivateKey.generate())

    def encode(self) -> str:
        seed = self.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        key_id = key_hash(self.name, _raw_public(self.private.public_key()))
        return f"PRIVATE+KEY+{self.name}+{key_id.hex()}+{_b64(bytes([ALG_ED25519]) + seed)}"

    @property
    def verifier(self) -> Verifier:
        public = self.private.public_key()
        return Verifier(self.name, key_hash(self.name, _raw_public(public)), public)

    def sign(self, text: str) -> str:
        """The signed note: the text, a blank line, one signature line."""
        if not text.endswith("\n") or "\n\n" in text:
            raise NoteError("a note's text ends with a newline and has no blank line")
        signature = self.private.sign(text.encode())
        blob = _b64(self.verifier.key_id + signature)
        return f"{text}\n{DASH} {self.name} {blob}\n"


def open_note(note: str, verifiers: Sequence[Verifier]) -> str:
    """The text of a note with a valid signature by one of ``verifiers``; else NoteError."""
    return signed_by(note, verifiers)[0]


def signed_by(note: str, verifiers: Sequence[Verifier]) -> tuple[str, Verifier]:
    """The text of a note and the first of ``verifiers`` whose signature on it is valid."""
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise NoteError("not a signed note: no blank line before the signatures")
    text += "\n"
    known = {(v.name, v.key_id): v for v in verifiers}
    seen: list[str] = []
    for line in signatures[:-1].split("\n"):
        prefix = f"{DASH} "
        if not line.startswith(prefix) or line.count(" ") != 2:
            raise NoteError(f"malformed signature line {line[:40]!r}")
        name, blob = line[len(prefix) :].split(" ")
        raw = _unb64(blob)
        if len(raw) < 5:
            raise NoteError("signature too short")
        seen.append(name)
        verifier = known.get((name, raw[:4]))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), raw[4:]):
            raise NoteError(
                f"chữ ký của {name} không hợp lệ / the signature by {name} does not verify"
            )
        return text, verifier
    raise NoteError(
        f"không có chữ ký nào bằng khóa đã cho (có: {', '.join(seen)}) / "
        f"no signature by the given key (signed by: {', '.join(seen)})"
    )


def unverified_text(note: str) -> str:
    """The text of a note without checking any signature (for display only)."""
    text, sep, _ = note.rpartition("\n\n")
    if not sep:
        raise NoteError("not a signed note: no blank line before the signatures")
    return text + "\n"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), _b64(self.root), *self.extensions]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint has an origin, a size and a root hash, one a line")
        origin, size_text, root_text, *rest = lines[:-1]
        if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
            raise NoteError(f"invalid checkpoint size {size_text!r}")
        root = _unb64(root_text)
        if len(root) != 32:
            raise NoteError("a checkpoint root is 32 bytes")
        return cls(origin, int(size_text), root, tuple(rest))

    def extension(self, key: str) -> str | None:
        for line in self.extensions:
            if line.startswith(key + " "):
                return line[len(key) + 1 :]
        return None


def open_checkpoint(note: str, verifiers: Sequence[Verifier]) -> Checkpoint:
    """A checkpoint signed by one of ``verifiers`` whose origin is that key's name."""
    text, verifier = signed_by(note, verifiers)
    checkpoint = Checkpoint.parse(text)
    if checkpoint.origin != verifier.name:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not the signer's name")
    return checkpoint
