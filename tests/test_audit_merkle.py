"""The Merkle code against published RFC 6962/9162 vectors.

Source of the vectors: transparency-dev/merkle, proof/verify_test.go (Apache-2.0) — the leaves,
the tree heads of sizes 1–8 and the inclusion and consistency proofs used there, originally from
certificate-transparency-go. Hashes are quoted, not recomputed by this code base.
"""

from __future__ import annotations

import pytest

from planflow.audit import merkle

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]


def h(*values: str) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


# (1-based leaf, tree size, path)
INCLUSION = [
    (1, 1, []),
    (
        1,
        8,
        h(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        h(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (3, 3, h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (
        2,
        5,
        h(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
]

CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        h(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        h(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (
        2,
        5,
        h(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (
        6,
        7,
        h(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
]

HASHED = [merkle.leaf_hash(leaf) for leaf in LEAVES]


def test_the_tree_heads_of_sizes_one_to_eight_match_the_published_roots() -> None:
    assert merkle.root([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    for size in range(1, 9):
        assert merkle.root(HASHED[:size]) == ROOTS[size - 1], size


@pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION)
def test_inclusion_proofs_are_the_published_ones_and_verify(
    leaf: int, size: int, path: list[bytes]
) -> None:
    assert merkle.inclusion_proof(leaf - 1, HASHED[:size]) == path
    merkle.verify_inclusion(leaf - 1, size, HASHED[leaf - 1], path, ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proofs_are_the_published_ones_and_verify(
    old: int, new: int, path: list[bytes]
) -> None:
    assert merkle.consistency_proof(old, HASHED[:new]) == path
    merkle.verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], path)


def test_a_proof_with_one_bit_flipped_or_a_wrong_index_does_not_verify() -> None:
    leaf, size, path = INCLUSION[2]
    flipped = [path[0], bytes([path[1][0] ^ 8]) + path[1][1:], path[2]]
    for index, proof in ((leaf - 1, flipped), (leaf, path), (leaf - 1, path[:-1])):
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(index, size, HASHED[leaf - 1], proof, ROOTS[size - 1])
    old, new, cpath = CONSISTENCY[2]
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(old, new, ROOTS[old - 2], ROOTS[new - 1], cpath)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], cpath[:-1])


def test_every_generated_proof_verifies_for_every_size_up_to_forty() -> None:
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(40)]
    for size in range(1, 41):
        head = merkle.root(leaves[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(index, leaves[:size])
            merkle.verify_inclusion(index, size, leaves[index], proof, head)
        for old in range(1, size + 1):
            proof = merkle.consistency_proof(old, leaves[:size])
            merkle.verify_consistency(old, size, merkle.root(leaves[:old]), head, proof)
