"""A strict-enough HTML check for rendered pages: well nested, and nothing an attacker
string could have turned into markup (unknown tags, event handlers, script URLs)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
# Every element a page of ours may use; anything else came from data.
KNOWN = VOID | {
    "html", "head", "body", "title", "style", "script", "noscript", "template", "main",
    "header", "footer", "nav", "section", "article", "aside", "h1", "h2", "h3", "h4", "h5",
    "h6", "p", "div", "span", "a", "abbr", "b", "i", "em", "strong", "small", "code", "pre",
    "kbd", "samp", "time", "data", "mark", "sup", "sub", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "colgroup", "thead", "tbody", "tfoot", "tr", "th", "td", "form",
    "label", "button", "select", "option", "optgroup", "textarea", "output", "fieldset",
    "legend", "details", "summary", "figure", "figcaption", "blockquote", "q", "cite", "svg",
    "path", "g", "desc", "use", "symbol", "circle", "rect", "line", "polyline", "del",
    "ins", "s", "u", "meter", "progress", "search", "dialog", "bdi", "bdo", "text", "tspan",
    "polygon", "ellipse",
}  # fmt: skip
# Elements whose end tag HTML lets a page omit (the site leaves out </td> and </tr> to keep
# 10,000-row pages light), and the start tags that close each of them implicitly.
OPTIONAL_END = {
    "td", "th", "tr", "li", "dt", "dd", "p", "option", "thead", "tbody", "tfoot", "caption",
}  # fmt: skip
IMPLIED_CLOSE = {
    "td": {"td", "th"}, "th": {"td", "th"}, "tr": {"td", "th", "tr"},
    "tbody": {"td", "th", "tr", "thead", "tbody"}, "tfoot": {"td", "th", "tr", "tbody"},
    "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "option": {"option"},
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


class PageError(AssertionError):
    pass


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple[int, int]]] = []
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        closes = IMPLIED_CLOSE.get(tag, set())
        while self.stack and self.stack[-1][0] in closes:
            self.stack.pop()
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False
        if tag in VOID:
            return
        if any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack[-1][0] != tag and self.stack[-1][0] in OPTIONAL_END:
                self.stack.pop()
        if not self.stack or self.stack[-1][0] != tag:
            open_ = self.stack[-1] if self.stack else None
            self.problems.append(f"</{tag}> at {self.getpos()} closes {open_}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script at {self.getpos()}: {data[:60]!r}")

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = self.getpos()
        if tag not in KNOWN:
            self.problems.append(f"unknown element <{tag}> at {where}")
        for name, value in attrs:
            if name.startswith("on") or name in ("srcdoc", "formaction"):
                self.problems.append(f"attribute {name} on <{tag}> at {where}")
            if not re.fullmatch(r"[a-z][a-z0-9:_-]*", name):
                self.problems.append(f"attribute name {name!r} on <{tag}> at {where}")
            if name in URL_ATTRIBUTES and value is not None and not safe_link(value):
                self.problems.append(f"{name}={value!r} on <{tag}> at {where}")
            if tag == "meta" and name == "http-equiv" and (value or "").lower() == "refresh":
                self.problems.append(f"meta refresh at {where}")


def safe_link(value: str) -> bool:
    """Relative, fragment, or http(s): what a browser would not run or leave the site by
    another scheme for (control characters and spaces are dropped first, as browsers do)."""
    squashed = _INVISIBLE.sub("", value)
    scheme = urlsplit(squashed).scheme.lower() if ":" in squashed else ""
    if ":" in squashed.split("/", 1)[0] and not scheme:
        return False  # "javascript&colon;" style leftovers
    return scheme in ("", "http", "https")


def check_page(html: str) -> None:
    """Raise :class:`PageError` unless ``html`` is a well-nested page with no injected markup."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    if checker.stack:
        problems.append(f"never closed: {checker.stack[-5:]}")
    if not html.lstrip().lower().startswith("<!doctype html>"):
        problems.append("no <!doctype html>")
    if problems:
        raise PageError("; ".join(problems[:10]))
