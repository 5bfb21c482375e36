"""Package pages rendered into a cached chrome (render.pages) are byte for byte the pages
Jinja renders whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import DictLoader

from generator.demo.history import demo_history
from generator.ecosystems import INFOS
from generator.history import History
from generator.models import Snapshot
from generator.render import plan
from generator.render.env import environment
from generator.render.pages import SHELLED, PageRenderer
from tests.synthetic import synthetic_snapshot
from tests.unit.render.samples import hostile_snapshots, signal_snapshots


def assert_same_as_jinja(snapshots: list[Snapshot], history: History | None = None) -> int:
    site = plan(snapshots, INFOS, history, report_url="https://example.test/report")
    env = environment()
    renderer = PageRenderer(env, site.common)
    shelled = 0
    for page in site.pages:
        whole = env.get_template(page.template).render(
            {**site.common, **page.context, "root": page.root, "page_path": page.path}
        )
        assert renderer.render(page.template, page.context, page.root, page.path) == whole, (
            page.path
        )
        shelled += page.template in SHELLED
    return shelled


@pytest.mark.parametrize("demo", [False, True])
def test_hostile_and_signal_pages_are_those_jinja_renders(demo: bool) -> None:
    snapshots = hostile_snapshots(demo=demo)
    assert assert_same_as_jinja(snapshots) == sum(len(s.packages) for s in snapshots)
    assert assert_same_as_jinja(signal_snapshots()) > 0


def test_pages_with_a_history_and_timelines_are_those_jinja_renders() -> None:
    snapshots = [synthetic_snapshot(eco, 150) for eco in sorted(INFOS)]
    assert assert_same_as_jinja(snapshots, demo_history(snapshots)) == 300


def test_a_chrome_without_its_block_is_refused(tmp_path: Path) -> None:
    env = environment(tmp_path)
    env.loader = DictLoader(
        {
            "base.html": "<title>{% block title %}{% endblock %}</title>{{ root }}",
            "package.html": '{% extends "base.html" %}{% block title %}{{ x }}{% endblock %}'
            "{% block content %}{{ x }}{% endblock %}",
        }
    )
    with pytest.raises(ValueError, match="'content' is not shown exactly once"):
        PageRenderer(env, {}).render("package.html", {"x": 1}, "../", "npm/x.html")
