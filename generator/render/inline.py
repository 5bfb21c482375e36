"""Includes compiled into the including template, for the package pages' panels.

Each ``{% include %}`` builds a new Jinja context (two copies of every variable and global,
an evaluation context) and looks the template up: ten per package page were 40% of the
package pages' rendering at 20,000 pages. :class:`InliningLoader` hands Jinja each template
with its includes replaced by the included source, each in a ``{% with %}`` scope (what a
panel sets stays in the panel, as with an include):

- ``{% include "name.html" %}`` (a literal name) becomes that template's source;
- ``{% include var %}`` (a variable, as in ``{% for panel in panels %}{% include panel %}``)
  named in :data:`INLINED_VARIABLES` becomes a choice among the templates of its folder, by
  name, with the plain include as the fallback for any other name.

Any other form (a list of names, ``ignore missing``, ``without context``) stays an include.
The output is byte for byte that of the includes (tests/unit/render/test_pages.py compares
whole sites); error messages inside an inlined template name the including one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jinja2 import BaseLoader, Environment, TemplateNotFound

#: ``{% include var %}`` of these variables is compiled to a choice among the templates of
#: the folder named (any other variable stays an include).
INLINED_VARIABLES: dict[str, str] = {"panel": "panels/", "alert": "panels/", "help": "help/"}

#: A comment (left alone), or a plain include of a literal name or of a variable (with no
#: whitespace control: ``{%- include x -%}`` stays an include).
_INCLUDE = re.compile(
    r"""(?P<comment>\{#.*?#\})"""
    r"""|\{%\s*include\s+(?:(?P<q>["'])(?P<name>[^"'{}%#]+)(?P=q)|(?P<var>[A-Za-z_]\w*))\s*%\}""",
    re.DOTALL,
)
_UNSAFE = re.compile(r"\{%-?\s*(?:extends|block|macro|call|import|from|raw)\b")
_MAX_DEPTH = 8


class InliningLoader(BaseLoader):
    """Wraps ``loader``; see the module's docstring."""

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        return self._expand(environment, source, 0), filename, uptodate

    def _body(self, environment: Environment, name: str, depth: int) -> str | None:
        """``name``'s source as an inline body, or None if it must stay an include."""
        try:
            source = self.loader.get_source(environment, name)[0]
        except TemplateNotFound:
            return None
        # As Jinja reads a template: without its one trailing newline.
        source = source.removesuffix("\n")
        if depth >= _MAX_DEPTH or _UNSAFE.search(source):
            return None  # extends, blocks, macros, imports: left to Jinja
        return "{% with %}" + self._expand(environment, source, depth + 1) + "{% endwith %}"

    def _expand(self, environment: Environment, source: str, depth: int) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group("comment"):
                return match.group(0)
            if match.group("name"):
                body = self._body(environment, match.group("name"), depth)
                return match.group(0) if body is None else body
            var = match.group("var")
            branches = []
            for name in self._candidates(INLINED_VARIABLES.get(var)):
                body = self._body(environment, name, depth)
                if body is not None:
                    branches.append(f'{var} == "{name}" %}}{body}')
            if not branches:
                return match.group(0)
            chain = "{% elif ".join(branches)
            return f"{{% if {chain}{{% else %}}{match.group(0)}{{% endif %}}"

        return _INCLUDE.sub(replace, source)

    def _candidates(self, folder: str | None) -> list[str]:
        if folder is None:
            return []
        try:
            names = self.loader.list_templates()
        except TypeError:  # a loader that cannot list: no choice, plain includes
            return []
        return [n for n in names if n.startswith(folder) and '"' not in n]
