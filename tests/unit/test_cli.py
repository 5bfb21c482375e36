"""The command line in-process: parsing, dispatch, and how each failure maps to an exit."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from generator import cli, pipeline
from generator.models import Status
from generator.progress import Progress
from tests.builders import package


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def test_every_command_has_a_handler_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(cli.COMMANDS)  # type: ignore[arg-type]
    for name in cli.COMMANDS:
        with pytest.raises(SystemExit) as exit_:
            cli.main([name, "--help"])
        assert exit_.value.code == 0
        assert "usage: attested-yet" in capsys.readouterr().out


def test_render_and_build_explain_data_and_out(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("render", "build"):
        with pytest.raises(SystemExit):
            cli.main([name, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "--out DIR folder the site is written into" in text
        assert "--data DIR folder" in text


def test_an_unreadable_snapshot_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pypi.json").write_text('{"schema_version": 2, "ecosystem": "pypi"}')
    code, err = run(["render", "--data", str(tmp_path), "--out", str(tmp_path / "s")], capsys)
    assert code == 1
    assert err.startswith("attested-yet: error: ") and "is not a valid snapshot" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s").exists()


def test_packages_without_one_ecosystem_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(["crawl", "--packages", "x.txt", "--data", str(tmp_path)], capsys)
    assert code == 2
    assert "--packages needs exactly one --ecosystem" in err


def test_history_update_without_a_site_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    monkeypatch.delenv("ATTESTED_YET_SITE_URL", raising=False)
    code, err = run(["history", "update", "--data", str(tmp_path)], capsys)
    assert code == 2
    assert "give --previous" in err


def test_interrupt_exits_130(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run_crawl", interrupted)
    code, err = run(["crawl", "--data", str(tmp_path)], capsys)
    assert (code, err) == (130, "attested-yet: interrupted\n")


def test_a_bug_is_one_line_unless_debugging(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "render_site", broken)
    monkeypatch.delenv("ATTESTED_YET_DEBUG", raising=False)
    code, err = run(["render", "--data", str(tmp_path)], capsys)
    assert code == 1
    assert "internal error: RuntimeError: boom (set ATTESTED_YET_DEBUG=1" in err
    monkeypatch.setenv("ATTESTED_YET_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["render", "--data", str(tmp_path)])


def test_crawl_options_reach_the_config(tmp_path: Path) -> None:
    args = cli.build_parser().parse_args(
        [
            "crawl",
            "--ecosystem",
            "npm",
            "--top",
            "7",
            "--timeout",
            "5",
            "--attempts",
            "2",
            "--no-verify",
            "--npm-url",
            "http://127.0.0.1:1",
            "--top-npm-url",
            "top.json",
            "--data",
            str(tmp_path),
        ]
    )
    config = cli.crawl_config(args)
    assert config.ecosystems == ("npm",) and config.top == 7 and config.data == tmp_path
    assert config.registry_urls["npm"] == "http://127.0.0.1:1"
    assert config.registry_urls["pypi"] == "https://pypi.org"
    assert config.top_sources == {"npm": "top.json"}
    assert config.policy.deadline == 5 and config.policy.attempts == 2
    assert config.policy.package_deadline == 15  # 3 × --timeout unless given
    assert config.verify.skip is not None and "--no-verify" in config.verify.skip


@pytest.mark.long
def test_build_demo_in_process_keeps_nothing_but_the_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run(["build", "--demo", "--out", "site"], capsys)
    assert code == 0, err
    assert (tmp_path / "site" / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    # every line that names a file names one that exists after the command
    assert "→ site/data/pypi.json" in err and "→ site/data/npm.json" in err
    assert err.strip().splitlines()[-1].endswith("the data is in site/data/")


def test_progress_draws_a_bar_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    with Progress(stream) as progress:
        task = progress.add("PyPI", 2)
        progress.advance(task, package(1, "ok"))
        progress.advance(task, package(2, "bad", status=Status.ERROR, error="HTTP 500"))
        progress.finish(task, "2 requests")
    text = stream.getvalue()
    assert "PyPI: bad: HTTP 500" in text
    assert "2/2 done, 1 errors (2 requests)" in text
    assert "━" in text  # rich drew a bar


def test_progress_logs_lines_off_a_terminal() -> None:
    stream = io.StringIO()
    with Progress(stream, interval=0) as progress:
        task = progress.add("npm", 1)
        progress.advance(task, package(1, "ok"))
    assert stream.getvalue().splitlines() == ["npm: crawling 1 packages", "npm: 1/1 done"]
