"""Where things go: asset folders, safe links, package page paths, and the package view."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from generator.models import Build, PackageResult

if TYPE_CHECKING:
    from generator.ecosystems.info import EcosystemInfo

#: A package name that is safe as a path: letters, digits, ``._~-``, starting with a letter
#: or digit, optionally an npm ``@scope/`` (which becomes a folder). Anything else (and any
#: name that would collide with another, or with a file of the site: ``index`` would be the
#: ecosystem page, ``_`` is the folder of hashed paths) gets a hashed path.
_SAFE_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}"
_SAFE_NAME = re.compile(rf"^(?:@{_SAFE_SEGMENT}/)?{_SAFE_SEGMENT}$")
_RESERVED = {"index", "index.html", "_"}


def asset_dir(name: str) -> Path:
    """``templates`` or ``static``: inside the installed package, else the source tree."""
    installed = Path(__file__).parent.parent / "_site" / name
    return installed if installed.is_dir() else Path(__file__).parent.parent.parent / name


def safe_url(value: object) -> str | None:
    """``value`` if it is an http(s) URL, else None: no ``javascript:`` or other schemes."""
    if not isinstance(value, str):
        return None
    lowered = value.strip().lower()
    return value.strip() if lowered.startswith(("https://", "http://")) else None


#: Where a forge shows a tree (commit) and a file at a revision, after ``https://host/owner/name``.
_FORGE_PATHS = {"github.com": ("/tree/", "/blob/"), "gitlab.com": ("/-/tree/", "/-/blob/")}
_COMMIT = re.compile(r"^[0-9a-fA-F]{7,64}$")


def build_links(build: Build | None) -> dict[str, str]:
    """Links for the "Built from" panel, only ever http(s): ``repository``, ``commit`` (the
    source at the commit) and ``workflow`` (the workflow file at the ref, else at the commit)
    on github.com and gitlab.com, ``run`` (the CI run) and ``log`` (the transparency-log entry,
    only from ``log_url``: a link is never made up from ``log_index``)."""
    if build is None:
        return {}
    links: dict[str, str] = {}
    repo = safe_url(build.source_repository)
    if repo:
        links["repository"] = repo
        parts = urlsplit(repo)
        forge = _FORGE_PATHS.get((parts.hostname or "").lower())
        path = parts.path.rstrip("/").removesuffix(".git")
        if forge and not parts.query and not parts.fragment and path.count("/") >= 2:
            base = f"https://{parts.hostname}{quote(path, safe='/')}"
            tree, blob = forge
            commit = build.commit if build.commit and _COMMIT.match(build.commit) else None
            if commit:
                links["commit"] = f"{base}{tree}{commit}"
            ref = build.ref or ""
            revision = ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
            revision = revision if revision != ref and revision else commit or ""
            workflow = (build.workflow or "").lstrip("/")
            if _plain_path(revision) and _plain_path(workflow):
                links["workflow"] = f"{base}{blob}{quote(revision, safe='/')}/{quote(workflow)}"
    for key, value in (("run", build.run_url), ("log", build.log_url)):
        url = safe_url(value)
        if url:
            links[key] = url
    return links


def _plain_path(value: str) -> bool:
    """``value`` is a relative path that stays where it is put: no ``.``, ``..`` or empty
    segment (``refs/tags/../../other``, ``a//b``, a leading ``/``), no backslash (read as
    ``/`` by browsers) and no control character. A ref or workflow path that is not gets
    no link."""
    return (
        bool(value)
        and all(segment not in ("", ".", "..") for segment in value.split("/"))
        and not any(c == "\\" or ord(c) < 0x20 or c == "\x7f" for c in value)
    )


def _hashed(ecosystem: str, name: str) -> str:
    digest = hashlib.sha256(f"{ecosystem}\0{name}".encode()).hexdigest()[:16]
    return f"_/{digest}"


def path_name(info: EcosystemInfo, name: str) -> str:
    """``name`` in the form the registry's URLs use (PEP 503 on PyPI), before safety checks."""
    if info.name_separators is None:
        return name
    return re.sub(info.name_separators, "-", name).lower()


def package_paths(info: EcosystemInfo, names: list[str]) -> dict[str, str]:
    """Each name's page under the ecosystem folder, without ``.html`` (``requests``,
    ``@scope/name``, ``_/<hash>``).

    Names that are not plainly safe as paths, or that collide (case-insensitively, as on
    macOS and Windows file systems) with an earlier name, get ``_/<hash>`` instead.
    """
    paths: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        if name in paths:
            continue
        candidate = path_name(info, name)
        folded = candidate.lower()
        if (
            not _SAFE_NAME.match(candidate)
            or folded in taken
            or folded.split("/")[0] in _RESERVED
            or folded.endswith(".")
        ):
            candidate = _hashed(info.name, name)
            folded = candidate
        taken.add(folded)
        paths[name] = candidate
    return paths


@dataclass(frozen=True, slots=True)
class PackageView:
    """A package as the templates show it: the result plus its site path."""

    result: PackageResult
    path: str
    """Its page relative to the ecosystem folder, without ``.html`` (``@scope/name``)."""

    @property
    def href(self) -> str:
        """The page: one file per package (``requests.html``), not a folder with an
        ``index.html`` (a folder per package was most of the render's file-system time)."""
        return f"{self.path}.html"

    @property
    def date(self) -> str:
        published = self.result.published_at
        return published.strftime("%Y-%m-%d") if published else ""

    @property
    def tp_text(self) -> str:
        return {True: "yes", False: "no", None: "unknown"}[self.result.trusted_publishing]
