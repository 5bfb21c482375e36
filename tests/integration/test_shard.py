"""Sharding: ``crawl --shard K/N`` on the demo registry, ``attested-yet merge``, and the
matrix in ``publish.yml`` that runs them (issue 13, "Sharding").

The crawls run in-process through ``generator.cli.main`` against the recorded demo
registry served on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.cli import main
from generator.demo import serve_demo
from generator.models import Snapshot
from tests.once import built_once

ROOT = Path(__file__).resolve().parents[2]
PUBLISH = ROOT / ".github" / "workflows" / "publish.yml"
ECOSYSTEMS = ("pypi", "npm")
SHARDS = 3


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def without_timestamps(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "generated_at"}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``whole/``: an unsharded demo crawl; ``shard-K/``: shard K of 3 of the same list.

    Every crawl runs against one demo server, as shards of a real run crawl one registry
    (``--demo`` would otherwise serve each crawl on a new port: another registry URL)."""

    def build(root: Path) -> None:
        with serve_demo() as urls, pytest.MonkeyPatch.context() as patch:
            patch.setattr(pipeline, "serve_demo", lambda: contextlib.nullcontext(urls))
            assert main(["crawl", "--demo", "--data", str(root / "whole")]) == 0
            for k in range(SHARDS):
                data = str(root / f"shard-{k}")
                argv = ["crawl", "--demo", "--data", data, "--shard", f"{k}/{SHARDS}"]
                assert main([*argv, "--run-id", "run-1"]) == 0

    return built_once(tmp_path_factory, "shards", build)


def shard_dirs(root: Path, indices: range | list[int] = range(SHARDS)) -> list[str]:
    return [str(root / f"shard-{k}") for k in indices]


def test_a_shard_holds_every_nth_package_with_its_full_rank(crawled: Path) -> None:
    for ecosystem in ECOSYSTEMS:
        whole = load(crawled / "whole" / f"{ecosystem}.json")
        total = len(whole["packages"])
        assert whole["shard"] is None
        for k in range(SHARDS):
            shard = load(crawled / f"shard-{k}" / f"{ecosystem}.json")
            assert [p["rank"] for p in shard["packages"]] == list(range(k + 1, total + 1, SHARDS))
            expected = [p for p in whole["packages"] if (p["rank"] - 1) % SHARDS == k]
            assert [p["name"] for p in shard["packages"]] == [p["name"] for p in expected]
            assert shard["summary"]["total"] == len(expected)
            assert shard["source"] == whole["source"]
            info = shard["shard"]
            assert (info["index"], info["count"], info["ranked"]) == (k, SHARDS, total)
            assert info["run"] == "run-1"


def test_merged_shards_equal_the_unsharded_crawl_apart_from_timestamps(
    crawled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given in another order than their numbers: the merge orders by rank, not by argument.
    capsys.readouterr()
    assert main(["merge", *shard_dirs(crawled, [2, 0, 1]), "--data", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    for ecosystem in ECOSYSTEMS:
        merged = load(tmp_path / f"{ecosystem}.json")
        whole = load(crawled / "whole" / f"{ecosystem}.json")
        assert without_timestamps(merged) == without_timestamps(whole)
        latest = max(
            Snapshot.model_validate(load(crawled / f"shard-{k}" / f"{ecosystem}.json")).generated_at
            for k in range(SHARDS)
        )
        assert Snapshot.model_validate(merged).generated_at == latest
        assert f"{ecosystem}: {len(whole['packages'])} packages" in err
        assert "(merged from 3 shards)" in err
    assert (tmp_path / "schema.json").is_file()
    # The shards' crawl states join into one, so a sharded daily run stays incremental:
    # the same packages, validators and rows (but rank) as the unsharded crawl's state.
    for ecosystem in ECOSYSTEMS:
        state = load(tmp_path / "state" / f"{ecosystem}.json")
        whole_state = load(crawled / "whole" / "state" / f"{ecosystem}.json")
        assert state["packages"].keys() == whole_state["packages"].keys()
        assert state["packages"] == whole_state["packages"]
        assert f"{ecosystem}: crawl state of {len(state['packages'])} packages merged" in err
    # The merged data renders like any crawl's.
    assert main(["render", "--data", str(tmp_path), "--out", str(tmp_path / "site")]) == 0


def merge_fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``merge`` with ``argv``; it must fail with exit 1 (returned, or a fatal error)."""
    capsys.readouterr()
    status: str | int | None
    try:
        status = main(["merge", *argv])
    except SystemExit as exit_:
        status = exit_.code
    assert status == 1
    return capsys.readouterr().err


def test_a_missing_shard_is_refused_and_that_ecosystem_not_written(
    crawled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = merge_fails([*shard_dirs(crawled, [0, 2]), "--data", str(tmp_path)], capsys)
    for ecosystem in ECOSYSTEMS:
        assert f"{ecosystem}: shard 1 of 3 missing" in err
        assert not (tmp_path / f"{ecosystem}.json").exists()


def test_one_ecosystem_missing_a_shard_does_not_stop_the_other(
    crawled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partial = tmp_path / "shard-1"
    shutil.copytree(crawled / "shard-1", partial)
    (partial / "npm.json").unlink()  # npm's crawl failed in shard 1
    dirs = [*shard_dirs(crawled, [0, 2]), str(partial)]
    err = merge_fails([*dirs, "--data", str(tmp_path / "out")], capsys)
    assert [line for line in err.splitlines() if line.startswith("attested-yet:")] == [
        "attested-yet: error: npm: shard 1 of 3 missing (shards are numbered 0 to 2); "
        "npm not merged"
    ]
    assert (tmp_path / "out" / "pypi.json").is_file()
    assert not (tmp_path / "out" / "npm.json").exists()


def test_a_duplicated_shard_is_refused(
    crawled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy-of-1"
    shutil.copytree(crawled / "shard-1", copy)
    dirs = [*shard_dirs(crawled), str(copy)]
    err = merge_fails([*dirs, "--data", str(tmp_path / "out")], capsys)
    assert "pypi: shard 1/3 given twice" in err and "npm: shard 1/3 given twice" in err
    assert not (tmp_path / "out").exists()


def altered(crawled: Path, tmp_path: Path, change: dict[str, Any]) -> str:
    """A copy of shard 1 whose pypi snapshot has ``change`` applied (dotted keys)."""
    copy = tmp_path / "altered-1"
    shutil.copytree(crawled / "shard-1", copy)
    document = load(copy / "pypi.json")
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        target = document
        for key in parents:
            target = target[key]
        target[last] = value
    (copy / "pypi.json").write_text(json.dumps(document))
    return str(copy)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"shard.run": "run-2"}, "run label (--run-id)"),
        ({"source.requested": 500}, "source"),
        ({"shard.ranked_sha256": "0" * 64}, "ranked list"),
        ({"registry": "http://127.0.0.1:1"}, "registry"),
        ({"shard.count": 4}, "shard count"),
    ],
)
def test_shards_of_different_crawls_are_refused(
    crawled: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, Any],
    words: str,
) -> None:
    dirs = [*shard_dirs(crawled, [0, 2]), altered(crawled, tmp_path, change)]
    err = merge_fails([*dirs, "--data", str(tmp_path / "out")], capsys)
    assert f"are shards of different crawls (their {words}" in err
    assert "pypi not merged" in err and "npm:" in err  # npm's shards were all fine
    assert not (tmp_path / "out" / "pypi.json").exists()
    assert (tmp_path / "out" / "npm.json").is_file()


def test_a_shard_with_foreign_packages_is_refused(
    crawled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Shard 1's pypi.json replaced by shard 0's with shard 1's label: same run, wrong rows.
    copy = tmp_path / "forged-1"
    shutil.copytree(crawled / "shard-1", copy)
    document = load(crawled / "shard-0" / "pypi.json")
    document["shard"]["index"] = 1
    (copy / "pypi.json").write_text(json.dumps(document))
    dirs = [*shard_dirs(crawled, [0, 2]), str(copy)]
    err = merge_fails([*dirs, "--data", str(tmp_path / "out")], capsys)
    assert "does not hold exactly the packages of shard 1/3" in err


def test_a_whole_crawl_is_not_a_shard(
    crawled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirs = [str(crawled / "whole"), *shard_dirs(crawled)]
    err = merge_fails([*dirs, "--data", str(tmp_path / "out")], capsys)
    assert "is a whole crawl, not a shard (crawl --shard K/N)" in err


def test_nothing_to_merge_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    err = merge_fails([str(tmp_path / "empty"), "--data", str(tmp_path / "out")], capsys)
    assert err.strip() == f"attested-yet: error: no shard snapshots in {tmp_path / 'empty'}"
    err = merge_fails([str(tmp_path / "absent"), "--data", str(tmp_path / "out")], capsys)
    assert "is not a folder of shard snapshots" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--shard", "3/3"], "K is 0-based and must be 0 to 2, not 3"),
        (["--shard", "0/0"], "N must be at least 1"),
        (["--shard", "1"], "--shard takes K/N"),
        (["--shard=-1/2"], "--shard takes K/N"),
        (["--shard", "a/b"], "--shard takes K/N"),
        (["--run-id", "x"], "--run-id labels a shard: it needs --shard K/N"),
    ],
)
def test_bad_shard_arguments_are_usage_errors(
    argv: list[str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["crawl", "--demo", "--data", str(tmp_path), *argv])
    assert exit_.value.code == 2
    assert words in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_build_has_no_shard_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--demo", "--shard", "0/2"])
    assert exit_.value.code == 2


# --- publish.yml: the plan job, the matrix, the merge -------------------------------------


def workflow() -> str:
    return PUBLISH.read_text()


def job(name: str) -> str:
    text = workflow().split("\njobs:\n", 1)[1]
    match = re.search(rf"^  {name}:\n(.*?)(?=^  [\w-]+:\n|\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, name
    return match.group(1)


def plan(top: str, tmp_path: Path) -> tuple[int, dict[str, str]]:
    """Run the plan job's script as Actions would, with ``inputs.top`` = ``top``."""
    step = job("plan")
    env = dict(re.findall(r'^          (SHARD_SIZE|MAX_SHARDS): "(\d+)"$', step, re.MULTILINE))
    script = step.split("        run: |\n", 1)[1]
    script = "\n".join(line.removeprefix("          ") for line in script.splitlines())
    output = tmp_path / "output"
    output.write_text("")
    proc = subprocess.run(
        ["bash", "-e", "-c", script],
        env={"PATH": "/usr/bin:/bin", "TOP": top, "GITHUB_OUTPUT": str(output), **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return proc.returncode, outputs


@pytest.mark.parametrize(
    ("top", "shards"),
    [("1000", [0]), ("10000", [0]), ("10001", [0, 1]), ("25000", [0, 1, 2]), ("0100", [0])],
)
def test_plan_job_splits_top_n_above_the_threshold(
    top: str, shards: list[int], tmp_path: Path
) -> None:
    status, outputs = plan(top, tmp_path)
    assert status == 0
    assert json.loads(outputs["shards"]) == shards
    assert outputs["count"] == str(len(shards)) and outputs["top"] == str(int(top))


def test_plan_job_caps_the_shards_and_refuses_bad_input(tmp_path: Path) -> None:
    status, outputs = plan("999999999", tmp_path)
    assert status == 0 and json.loads(outputs["shards"]) == list(range(10))
    for bad in ("", "0", "12x", "1e4", "-5", "1234567890", "$(id)"):
        status, outputs = plan(bad, tmp_path)
        assert status == 2 and outputs == {}, bad


def test_publish_runs_a_matrix_of_shards_then_merges() -> None:
    crawl, build = job("crawl"), job("build")
    assert "shard: ${{ fromJSON(needs.plan.outputs.shards) }}" in crawl
    assert "needs: plan" in crawl and "fail-fast: false" in crawl
    assert '--shard "$SHARD/$COUNT" --run-id "$RUN_ID"' in crawl
    assert "name: shard-${{ matrix.shard }}" in crawl and "actions/upload-artifact@" in crawl
    assert "needs: [plan, crawl]" in build
    steps = ["actions/download-artifact@", "pattern: shard-*", "attested-yet merge shards/*/"]
    steps += ["attested-yet history update", "attested-yet render", "upload-pages-artifact@"]
    assert [build.index(s) for s in steps] == sorted(build.index(s) for s in steps)
    assert "attested-yet crawl" not in build
    assert "permissions: {}" in job("plan")
    # The threshold the README documents is the one the workflow uses.
    readme = (ROOT / "README.md").read_text()
    assert 'SHARD_SIZE: "10000"' in job("plan") and "up to 10,000 packages per ecosystem" in readme
