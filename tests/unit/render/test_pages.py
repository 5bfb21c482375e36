"""Package pages rendered into a cached chrome (render.pages) are byte for byte the pages
Jinja renders whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment

from generator.demo.history import demo_history
from generator.ecosystems import INFOS
from generator.history import History
from generator.models import Snapshot
from generator.render import plan
from generator.render.env import environment
from generator.render.inline import InliningLoader
from generator.render.pages import SHELLED, PageRenderer
from tests.synthetic import synthetic_snapshot
from tests.unit.render.samples import hostile_snapshots, signal_snapshots


def assert_same_as_jinja(snapshots: list[Snapshot], history: History | None = None) -> int:
    site = plan(snapshots, INFOS, history, report_url="https://example.test/report")
    plain = environment(inline=False)
    renderer = PageRenderer(environment(), site.common)
    shelled = 0
    for page in site.pages:
        whole = plain.get_template(page.template).render(
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


def test_inlined_includes_render_as_includes_do() -> None:
    templates = {
        "panels/a.html": "{% set x = 'A' %}<a>{{ x }}{{ r }}</a>\n",
        "panels/b.html": '{# a comment: {% include "panels/a.html" %} #}<b>{{ x }}</b>\n',
        "other/c.html": "<c>{{ r }}</c>\n",
        "page.html": "{% set x = 'page' %}"
        "{% for panel in names %}\n{% include panel %}\n{% endfor %}"
        '|{% include "panels/a.html" %}|{{ x }}|{%- include "other/c.html" -%}|',
    }
    inlined = Environment(loader=InliningLoader(DictLoader(templates)), trim_blocks=True)
    plain = Environment(loader=DictLoader(templates), trim_blocks=True)
    names = ["panels/b.html", "panels/a.html", "other/c.html"]
    source = inlined.loader.get_source(inlined, "page.html")[0]  # type: ignore[union-attr]
    assert source.count("{% include") == 2, "the fallback, and the text of the comment"
    assert "{%- include" in source, "whitespace control: left to Jinja"
    assert "{# a comment: {% include" in source, "comments are left alone"
    for env in (inlined, plain):
        assert env.get_template("page.html").render(names=names, r=1) == (
            "<b>page</b><a>A1</a><c>1</c>|<a>A1</a>|page|<c>1</c>|"
        )
