"""Pages of a large site: made when needed, rendered cheaply, written in pieces.

A package page is ``base.html``'s chrome (head, header, nav, footer: a quarter of the
package pages' rendering at 20,000 pages) around two per-page blocks, ``title`` and
``content``. The chrome depends only on what every page shares and on the page's depth
(``root``), so :class:`PageRenderer` renders it once per depth, with markers where the two
blocks go, and each page renders only its own blocks into it. The bytes are those of
``template.render(context)`` (tests/unit/render/test_pages.py compares every page). Every
other page, and any template not listed in :data:`SHELLED`, is rendered as usual, in pieces.

:class:`PageList` makes each package page when it is read and :class:`Written` each written
path, so that a render never holds all its pages; :func:`write_page` writes one.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, overload

from jinja2 import Environment, Template
from jinja2.runtime import Context

#: Templates rendered into a cached chrome: they override only the :data:`PER_PAGE` blocks
#: with per-page content (any other block they override is part of the chrome).
SHELLED = frozenset({"package.html"})

#: The blocks each page renders itself.
PER_PAGE = ("title", "content")

_MARK = "\x00{}\x00"

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    path: str
    """Where the page goes, relative to the site's top folder (``npm/@s/n.html``)."""
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> str:
        """The relative way back to the site's top folder (``""``, ``../``, …)."""
        return "../" * self.path.count("/")


class PageList(Sequence[Page]):
    """The pages of a site in order, the many package pages each made when it is read:
    the plan holds a reference per package, not a page and its context (17 MB at 10,000
    packages per ecosystem)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._parts: list[tuple[Sequence[Any], Callable[[Any], Page] | None]] = []
        self._length = 0

    def append(self, page: Page) -> None:
        self.extend_lazily([page], None)

    def extend_lazily(self, items: Sequence[T], make: Callable[[T], Page] | None) -> None:
        """One page per item, ``make(item)`` when read (``items`` are pages if None)."""
        self._starts.append(self._length)
        self._parts.append((items, make))
        self._length += len(items)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Page: ...

    @overload
    def __getitem__(self, index: slice) -> list[Page]: ...

    def __getitem__(self, index: int | slice) -> Page | list[Page]:
        if isinstance(index, slice):
            return [self[i] for i in range(self._length)[index]]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        part = bisect_right(self._starts, index) - 1
        items, make = self._parts[part]
        item = items[index - self._starts[part]]
        return item if make is None else make(item)

    def __iter__(self) -> Iterator[Page]:
        for items, make in self._parts:
            yield from (items if make is None else map(make, items))


class PageRenderer:
    """Renders the pages of a site; one per process (it caches templates and chromes)."""

    def __init__(self, env: Environment, common: Mapping[str, Any]) -> None:
        self._env = env
        self._common = dict(common)
        self._templates: dict[str, Template] = {}
        self._chromes: dict[tuple[str, str, str | None], list[str]] = {}
        self._nav = {href for href, _ in self._common.get("nav", [])}

    def template(self, name: str) -> Template:
        template = self._templates.get(name)
        if template is None:
            template = self._templates[name] = self._env.get_template(name)
        return template

    def render(self, template: str, context: Mapping[str, Any], root: str, path: str) -> str:
        """The page ``path`` (its way back to the top folder ``root``) of ``template`` with
        ``context`` on top of the shared one."""
        return "".join(self.pieces(template, context, root, path))

    def pieces(
        self, template: str, context: Mapping[str, Any], root: str, path: str
    ) -> Iterator[str]:
        """:meth:`render` in pieces: an ecosystem page of 10,000 rows is never held whole
        (as one string it was 1.4 MB, and 15 MB of fragments on the way)."""
        tpl = self.template(template)
        variables = {**self._common, **context, "root": root, "page_path": path}
        if template not in SHELLED:
            yield from tpl.generate(variables)
            return
        chrome = self._chrome(template, tpl, root, path)
        ctx = tpl.new_context(variables)
        parts = [chrome[0]]
        for i, block in enumerate(PER_PAGE):
            parts.append("".join(ctx.blocks[block][0](ctx)))
            parts.append(chrome[i + 1])
        yield "".join(parts)

    def _chrome(self, name: str, tpl: Template, root: str, path: str) -> list[str]:
        """The page around its :data:`PER_PAGE` blocks, split where they go. It depends on
        ``path`` only where the nav marks the current page (never a package page)."""
        key = (name, root, path if path in self._nav else None)
        chrome = self._chromes.get(key)
        if chrome is None:
            ctx = tpl.new_context({**self._common, "root": root, "page_path": path})
            for i, block in enumerate(PER_PAGE):
                ctx.blocks[block] = [_marker(_MARK.format(i))]
            text = "".join(tpl.root_render_func(ctx))
            chrome = []
            for i in range(len(PER_PAGE)):
                head, mark, text = text.partition(_MARK.format(i))
                if not mark or _MARK.format(i) in text:
                    raise ValueError(f"{name}: block {PER_PAGE[i]!r} is not shown exactly once")
                chrome.append(head)
            chrome.append(text)
            self._chromes[key] = chrome
        return chrome


class Written(Sequence[Path]):
    """The files a render wrote: its pages' paths, made when read (20,000 ``Path`` objects
    are 6.5 MB), then ``others``."""

    def __init__(self, out_dir: Path, pages: Sequence[Page], others: list[Path]) -> None:
        self._out_dir, self._pages, self._others = out_dir, pages, others

    def __len__(self) -> int:
        return len(self._pages) + len(self._others)

    @overload
    def __getitem__(self, index: int) -> Path: ...

    @overload
    def __getitem__(self, index: slice) -> list[Path]: ...

    def __getitem__(self, index: int | slice) -> Path | list[Path]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index < len(self._pages):
            return self._out_dir / self._pages[index].path
        return self._others[index - len(self._pages)]

    def __iter__(self) -> Iterator[Path]:
        for page in self._pages:
            yield self._out_dir / page.path
        yield from self._others


def _marker(text: str) -> Callable[[Context], Iterator[str]]:
    def block(_: Context) -> Iterator[str]:
        yield text

    return block


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def write_page(target: Path, pieces: Iterable[str], size: int = 1 << 16) -> None:
    """Write a page with as few system calls as it takes (``open()`` adds an fstat and
    buffer objects: 25% of the writing time at 20,000 pages), ``size`` characters at a
    time. No fsync: the site is published whole by :func:`generator.atomic.replace_dir`."""
    fd = os.open(target, _CREATE, 0o666)  # as open(): the umask decides
    try:
        batch: list[str] = []
        held = 0
        for piece in pieces:
            batch.append(piece)
            held += len(piece)
            if held >= size:
                _write_all(fd, "".join(batch).encode("utf-8"))
                batch.clear()
                held = 0
        _write_all(fd, "".join(batch).encode("utf-8"))
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
