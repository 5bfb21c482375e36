"""The command line end to end, in subprocesses (with the network guard loaded)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from generator.demo import RECORDINGS
from generator.demo.server import Registry, serve
from tests.cli import run


@pytest.mark.long
def test_build_demo_writes_site_and_data(tmp_path: Path, guarded_env: dict[str, str]) -> None:
    proc = run(["build", "--demo", "--out", "site"], guarded_env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    site = tmp_path / "site"
    for rel in ("index.html", "data/pypi.json", "data/npm.json", "data/schema.json"):
        assert (site / rel).is_file(), rel
    schema = json.loads((site / "data/schema.json").read_text())
    expected = json.loads((RECORDINGS / "expected.json").read_text())
    for eco in ("pypi", "npm"):
        doc = json.loads((site / f"data/{eco}.json").read_text())
        jsonschema.validate(doc, schema)
        assert doc["demo"] is True
        assert {p["name"]: p["status"] for p in doc["packages"]} == expected[eco]
        assert f"{eco}: {len(expected[eco])} packages" in proc.stderr
        verification = {
            p["name"]: p["verification"] for p in doc["packages"] if p["status"] == "attested"
        }
        assert verification == expected["verification"][eco]
        assert doc["summary"]["by_verification"]["failed"] == 1
        failed = [name for name, outcome in verification.items() if outcome == "failed"]
        assert f"{eco}: 1 attested release(s) FAILED verification: {failed[0]}" in proc.stderr
    assert "Demo data" in (site / "index.html").read_text()
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "data").exists(), "--demo must not overwrite real snapshots in data/"


def test_crawl_packages_file_against_any_server(
    tmp_path: Path, guarded_env: dict[str, str]
) -> None:
    packages = tmp_path / "list.txt"
    packages.write_text(
        "# a ranked list\nfictional-arrow\n\n@fictional-scope/meteor\nfictional-phantom\n"
    )
    with serve(Registry.from_directory(RECORDINGS / "npm")) as url:
        proc = run(
            [
                "crawl",
                "--ecosystem",
                "npm",
                "--packages",
                str(packages),
                "--npm-url",
                url,
                "--data",
                "out",
            ],
            guarded_env,
            tmp_path,
        )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out/npm.json").read_text())
    assert [(p["name"], p["status"]) for p in doc["packages"]] == [
        ("fictional-arrow", "attested"),
        ("@fictional-scope/meteor", "attested"),
        ("fictional-phantom", "error"),
    ]
    assert doc["source"]["kind"] == "packages-file"
    assert not (tmp_path / "out/pypi.json").exists()


def test_usage_errors_exit_2(tmp_path: Path, guarded_env: dict[str, str]) -> None:
    assert run(["crawl", "--packages", "x.txt"], guarded_env, tmp_path).returncode == 2
    assert run(["crawl", "--top", "0"], guarded_env, tmp_path).returncode == 2
    assert run(["crawl", "--ecosystem", "cpan"], guarded_env, tmp_path).returncode == 2
    assert run([], guarded_env, tmp_path).returncode == 2


def test_unreadable_source_exits_1_with_one_line(
    tmp_path: Path, guarded_env: dict[str, str]
) -> None:
    with serve(Registry()) as url:
        proc = run(
            [
                "crawl",
                "--ecosystem",
                "pypi",
                "--pypi-url",
                url,
                "--top-pypi-url",
                f"{url}/nothing.json",
                "--attempts",
                "1",
                "--data",
                "d",
            ],
            guarded_env,
            tmp_path,
        )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert any("cannot read" in line and "HTTP 404" in line for line in lines), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "d/pypi.json").exists()


def test_one_broken_ecosystem_keeps_the_other(tmp_path: Path, guarded_env: dict[str, str]) -> None:
    """npm's top-N source fails; PyPI's fresh snapshot is still written, and the exit is 1."""
    with serve(Registry.from_directory(RECORDINGS / "pypi")) as pypi, serve(Registry()) as npm:
        proc = run(
            [
                "crawl",
                "--pypi-url",
                pypi,
                "--top-pypi-url",
                f"{pypi}/top-pypi-packages-30-days.min.json",
                "--npm-url",
                npm,
                "--attempts",
                "1",
                "--data",
                "d",
            ],
            guarded_env,
            tmp_path,
        )
    assert proc.returncode == 1
    assert (tmp_path / "d/pypi.json").is_file()
    assert not (tmp_path / "d/npm.json").exists()


def test_render_without_snapshots_fails_cleanly(
    tmp_path: Path, guarded_env: dict[str, str]
) -> None:
    proc = run(["render", "--data", "nowhere", "--out", "site"], guarded_env, tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("attested-yet: error: no snapshots")


def test_network_guard_blocks_the_internet(guarded_env: dict[str, str], tmp_path: Path) -> None:
    code = "import socket; socket.create_connection(('192.0.2.1', 443), timeout=1)"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=guarded_env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=30,
    )
    assert proc.returncode != 0 and "only loopback is allowed" in proc.stderr


def test_verification_on_and_off(tmp_path: Path, guarded_env: dict[str, str]) -> None:
    """Outside --demo the demo data is verified against Sigstore's real trust root, and fails
    (its CA is our own); --no-verify records not-checked with its reason instead."""
    packages = tmp_path / "list.txt"
    packages.write_text("fictional-arrow\nfictional-ivy\n")
    docs = {}
    with serve(Registry.from_directory(RECORDINGS / "npm")) as url:
        for flag in ("", "--no-verify"):
            out = f"out{flag}"
            args = ["crawl", "--ecosystem", "npm", "--packages", str(packages)]
            args += ["--npm-url", url, "--data", out] + ([flag] if flag else [])
            proc = run(args, guarded_env, tmp_path)
            assert proc.returncode == 0, proc.stderr
            docs[flag] = json.loads((tmp_path / out / "npm.json").read_text())
    arrow = docs[""]["packages"][0]
    assert arrow["status"] == "attested" and arrow["verification"] == "failed"
    assert "certificate chain" in arrow["verification_reason"]
    off = docs["--no-verify"]["packages"][0]
    assert off["verification"] == "not-checked"
    assert off["verification_reason"] == "verification was turned off (--no-verify)"
    assert off["build"]["source_repository"] == "https://github.com/fictional-org/arrow"
    ivy = docs["--no-verify"]["packages"][1]
    assert ivy["provenance_dropped"] is True and ivy["verification_reason"] is None
