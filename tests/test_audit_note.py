"""Signed notes and checkpoints against the published C2SP / Go examples.

Sources of the vectors:
- golang.org/x/mod/sumdb/note (note.go package documentation and note_test.go): the
  "PeterNeumann" signer and verifier keys, the two-line text and its signature;
- C2SP signed-note, "Verifier keys": the key "example.com/foo" with key id 530d903a;
- C2SP tlog-checkpoint / tlog-witness examples: the checkpoint body of
  "example.com/behind-the-sofa" at size 20852163.
"""

from __future__ import annotations

import base64

import pytest

from planflow.audit.note import Checkpoint, NoteError, Signer, Verifier, open_checkpoint, open_note

PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
SIGNED = (
    TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
FOO_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SOFA = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_signing_the_go_example_reproduces_its_published_note_byte_for_byte() -> None:
    signer = Signer.parse(PETER_SKEY)
    assert signer.sign(TEXT) == SIGNED
    assert signer.verifier.encode() == PETER_VKEY
    assert signer.encode() == PETER_SKEY


def test_the_published_note_opens_with_its_key_and_not_when_changed() -> None:
    verifier = Verifier.parse(PETER_VKEY)
    assert open_note(SIGNED, [verifier]) == TEXT
    with pytest.raises(NoteError, match="does not verify"):
        open_note(SIGNED.replace("cryptography", "cryptographY"), [verifier])
    with pytest.raises(NoteError, match="no signature by the given key"):
        open_note(SIGNED, [Signer.generate("PeterNeumann").verifier])


def test_the_spec_verifier_key_parses_and_a_mangled_one_does_not() -> None:
    key = Verifier.parse(FOO_VKEY)
    assert (key.name, key.key_id.hex(), key.encode()) == ("example.com/foo", "530d903a", FOO_VKEY)
    for bad in (FOO_VKEY.replace("530d903a", "530d903b"), FOO_VKEY[:-2], "example.com/foo"):
        with pytest.raises(NoteError):
            Verifier.parse(bad)


def test_the_spec_checkpoint_body_parses_and_prints_back() -> None:
    checkpoint = Checkpoint.parse(SOFA)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert checkpoint.text() == SOFA
    for bad in ("origin\n012\n" + SOFA.split("\n")[2] + "\n", "origin\n1\nAAAA\n", "origin\n1\n"):
        with pytest.raises(NoteError):
            Checkpoint.parse(bad)


def test_a_checkpoint_must_come_from_the_key_of_its_origin() -> None:
    signer = Signer.generate("planflow.test/log")
    note = signer.sign(Checkpoint("planflow.test/log", 3, bytes(32)).text())
    assert open_checkpoint(note, [signer.verifier]).size == 3
    impostor = Signer.generate("someone-else")
    forged = impostor.sign(Checkpoint("planflow.test/log", 3, bytes(32)).text())
    with pytest.raises(NoteError):
        open_checkpoint(forged, [signer.verifier, impostor.verifier])
