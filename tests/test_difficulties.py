"""A task's difficulties (domain/difficulties.py): restored from a snapshot as one encoded string,
decoded only when a difficulty is read; records replaced, never changed in place, so a copy is
independent; the count and the number still open known without decoding."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

import pytest

from planflow.domain import difficulties as module
from planflow.domain.difficulties import Difficulties, Difficulty

AT = datetime(2022, 3, 10, 2, 30, 15, 123456, tzinfo=UTC)


def made(count: int, answered: Collection[int] = ()) -> Difficulties:
    collection = Difficulties()
    for n in range(1, count + 1):
        collection.append(Difficulty(n, f"Khó khăn số {n}", "so-a", AT + timedelta(minutes=n)))
    for n in sorted(answered):
        collection.answer(n, answer=f"Trả lời {n}", by="vp", at=AT + timedelta(days=n))
    return collection


def restored(collection: Difficulties) -> Difficulties:
    """Through the JSON a snapshot is stored as, like the transcoder does."""
    return Difficulties.from_snapshot_state(json.loads(json.dumps(collection.snapshot_state())))


def test_a_restored_collection_equals_the_original_record_for_record() -> None:
    original = made(5, answered={2, 4})
    again = restored(original)
    assert again == original and list(again) == list(original)
    assert again[1].answered_at == AT + timedelta(days=2)
    assert again[0].raised_at == AT + timedelta(minutes=1)
    assert len(again) == 5 and again.open_count == 3
    assert again[-1].number == 5 and [d.number for d in again[1:3]] == [2, 3]
    assert again != made(5, answered={2})


def test_the_snapshot_keeps_the_rows_as_one_string_with_their_counts() -> None:
    state = made(3, answered={1}).snapshot_state()
    assert isinstance(state["rows"], str)
    assert state["count"] == 3 and state["open"] == 2
    assert json.loads(state["rows"])[0][:3] == [1, "Khó khăn số 1", "so-a"]


def test_counting_and_appending_to_a_restored_collection_decodes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    again = restored(made(1000, answered={10, 20}))
    decoded: list[str] = []

    def counting(encoded: str) -> list[object]:
        decoded.append(encoded)
        return []

    monkeypatch.setattr(module.json, "loads", counting)
    assert len(again) == 1000 and again.open_count == 998
    again.append(Difficulty(1001, "Thêm", "so-a", AT))
    assert len(again) == 1001 and again.open_count == 999
    kept = again.copy()
    assert kept.snapshot_state()["count"] == 1001
    assert decoded == []


def test_rows_appended_after_a_restore_are_joined_to_the_encoded_ones() -> None:
    again = restored(made(3, answered={3}))
    again.append(Difficulty(4, "Thứ tư", "so-b", AT))
    twice = restored(again)
    expected = made(3, answered={3})
    expected.append(Difficulty(4, "Thứ tư", "so-b", AT))
    assert twice == expected and twice.open_count == 3
    assert restored(restored(Difficulties())) == [] and restored(Difficulties()).open_count == 0


def test_answering_a_copy_leaves_the_original_as_it_was() -> None:
    original = restored(made(4))
    kept = original.copy()
    kept.answer(2, answer="Đã bố trí", by="vp", at=AT)
    kept.append(Difficulty(5, "Mới", "so-a", AT))
    assert original[1].answer is None and original.open_count == 4 and len(original) == 4
    assert kept[1].answer == "Đã bố trí" and kept.open_count == 4 and len(kept) == 5
    with pytest.raises(AttributeError):
        kept[1].answer = "sửa tại chỗ"  # type: ignore[misc]


def test_a_collection_equals_a_list_of_the_same_records_and_nothing_else() -> None:
    records = [Difficulty(1, "Khó", "so-a", AT), Difficulty(2, "Khó nữa", "so-a", AT)]
    assert Difficulties(records) == records and records == Difficulties(records)
    assert Difficulties(records) != records[:1]
    assert Difficulties(records) != "Khó"
    assert Difficulties(records).open_count == 2
