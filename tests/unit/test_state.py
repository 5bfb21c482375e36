"""The crawl state file: round trip, and every reason it is not used."""

from __future__ import annotations

import contextlib
from pathlib import Path

from generator.state import (
    CrawlState,
    Entry,
    FeedCursor,
    Validators,
    fingerprint,
    load_state,
    merge_states,
    read_state,
    state_json,
    state_path,
    write_state,
)
from tests.builders import package

FP = fingerprint(None, None)


def state(**changes: object) -> CrawlState:
    row = package(name="a")
    entry = Entry(validators=Validators(etag='"x"', serial=7), row=row)
    fields: dict[str, object] = {
        "fingerprint": FP,
        "ecosystem": "npm",
        "registry": "http://r",
        "feed": FeedCursor(url="http://f", position=3),
        "packages": {"a": entry},
    }
    return CrawlState.model_validate({**fields, **changes})


def test_state_round_trips(tmp_path: Path) -> None:
    write_state(tmp_path, state())
    read, note = read_state(tmp_path, "npm", registry="http://r/", expected=FP)
    assert read is not None and "1 packages" in note
    head, entries = read
    with contextlib.closing(entries):
        assert head == state(packages={})
        assert dict(entries) == state().packages
        assert list(entries.validators()) == [("a", Validators(etag='"x"', serial=7))]


def test_a_stored_row_that_no_longer_reads_costs_that_package_only(tmp_path: Path) -> None:
    good = state(packages={"a": state().packages["a"], "b": state().packages["a"]})
    text = good.model_dump_json().replace('"status":"missing"', '"status":"gone"', 1)
    state_path(tmp_path, "npm").parent.mkdir()
    state_path(tmp_path, "npm").write_text(text)
    read, _ = read_state(tmp_path, "npm", registry="http://r", expected=FP)
    assert read is not None
    with contextlib.closing(read[1]) as entries:
        assert "a" not in entries and entries.get("a") is None  # the broken row
        assert entries["b"] == good.packages["b"]
        assert [k for k, _ in entries.validators()] == ["a", "b"]  # both still known


def test_a_state_whose_entries_are_not_entries_is_not_used(tmp_path: Path) -> None:
    path = state_path(tmp_path, "npm")
    path.parent.mkdir()
    base = state(packages={}).model_dump_json()[:-1]
    for packages in ("[]", '{"a": {"row": {}}}', '{"a": {"validators": {"etag": 1}, "row": {}}}'):
        path.write_text(base + ',"packages":' + packages + "}")
        assert read_state(tmp_path, "npm", registry="http://r", expected=FP) == (
            None,
            "state in an unknown format: full crawl",
        )


def test_a_state_is_ignored_when_missing_unreadable_or_made_under_other_rules(
    tmp_path: Path,
) -> None:
    assert read_state(tmp_path, "npm", registry="http://r", expected=FP)[0] is None
    write_state(tmp_path, state())
    assert read_state(tmp_path, "npm", registry="http://other", expected=FP)[0] is None
    assert read_state(tmp_path, "npm", registry="http://r", expected="x")[0] is None
    state_path(tmp_path, "npm").write_text('{"format": 2}')
    assert read_state(tmp_path, "npm", registry="http://r", expected=FP)[0] is None


def test_fingerprint_changes_with_the_verification_options(tmp_path: Path) -> None:
    root = tmp_path / "trusted_root.json"
    root.write_text("{}")
    assert len({FP, fingerprint("skip", None), fingerprint(None, root)}) == 3
    assert fingerprint(None, None) == FP


def test_only_validators_that_allow_a_conditional_request_are_usable() -> None:
    assert not Validators(serial=3).usable()
    assert Validators(last_modified="Mon, 01 Jan 2024 00:00:00 GMT").usable()


def test_the_state_is_written_entry_by_entry_as_one_dump_would_be(tmp_path: Path) -> None:
    # issue 13: the whole text at once was the peak of a crawl's memory
    entries = {
        name: Entry(validators=Validators(etag=f'"{i}"'), row=package(i + 1, name=name))
        for i, name in enumerate(["a", "@s/b", 'q"u\\o\nte', "ünï", "packages"])
    }
    for case in (
        state(),
        state(packages={}),
        state(feed=None, packages=entries),
        state(registry='http://r/"packages":{}', packages=entries),
    ):
        path = write_state(tmp_path, case)
        assert path.read_bytes() == case.model_dump_json().encode()
        assert b"".join(state_json(case)) == case.model_dump_json().encode()


def entries_of(names: list[str], etag: str) -> dict[str, Entry]:
    return {
        name: Entry(validators=Validators(etag=etag), row=package(i + 1, name=name))
        for i, name in enumerate(names)
    }


def test_stored_entries_are_written_back_as_text_without_decoding_a_row() -> None:
    stored = state(packages=entries_of(["a", 'q"u\\o\nte', "ünï"], '"e"'))
    body = stored.model_dump_json().encode()
    head, entries = load_state(body.replace(b'"status":"missing"', b'"status":"gone"', 1))
    with contextlib.closing(entries):
        again = b"".join(state_json(head, entries.texts()))
        # The broken row (a's) goes back as it was: it is only absent when it is read.
        assert again == body.replace(b'"status":"missing"', b'"status":"gone"', 1)
        assert [k for k, _ in entries.texts(["ünï"])] == ["ünï"]


def test_shard_states_merge_without_their_rows_being_decoded() -> None:
    one = state(packages=entries_of(["a", "b"], '"1"'))
    two = state(packages=entries_of(["c", "b"], '"2"'), feed=FeedCursor(url="http://f", position=2))
    broken = two.model_dump_json().encode().replace(b'"status":"missing"', b'"status":"gone"', 1)
    loaded = [load_state(one.model_dump_json().encode()), load_state(broken)]
    try:
        merged = merge_states(loaded)
        assert merged is not None
        head, texts, count = merged
        written = b"".join(state_json(head, texts))
    finally:
        for _, entries in loaded:
            entries.close()
    # Every package; "b" as the later shard has it; the earliest feed position.
    expected = state(packages={**one.packages, **two.packages}, feed=two.feed)
    assert count == 3
    read = load_state(written)
    with contextlib.closing(read[1]) as entries:
        assert read[0] == expected.model_copy(update={"packages": {}})
        known = {(k, e.validators) for k, e in expected.packages.items()}
        assert set(entries.validators()) == known
        # The row that no longer reads ("c", the first of the second shard) is carried over
        # as it was, and costs that package only when the state is used.
        assert "c" not in entries
        assert {k: entries[k] for k in entries if k != "c"} == {
            k: e for k, e in expected.packages.items() if k != "c"
        }
    disagreeing = [load_state(one.model_dump_json().encode())]
    disagreeing.append(load_state(state(fingerprint="other").model_dump_json().encode()))
    try:
        assert merge_states(disagreeing) is None
    finally:
        for _, entries in disagreeing:
            entries.close()
