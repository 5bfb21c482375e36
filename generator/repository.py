"""Normalize declared source-repository URLs to ``https://host/owner/name``.

Handles every form npm allows for ``repository`` (``git+https://``, ``git+ssh://git@host/``,
``git://``, ``ssh://``, scp-like ``git@host:owner/name``, ``github:``/``gitlab:``/``bitbucket:``
prefixes, the ``owner/name`` GitHub shorthand, with or without ``.git``) and the page URLs that
PyPI projects list in ``project_urls`` (``https://github.com/owner/name/tree/main/sub``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_PREFIX_HOSTS = {
    "github": "github.com",
    "gitlab": "gitlab.com",
    "bitbucket": "bitbucket.org",
    "gist": "gist.github.com",
}
_SHORTHAND = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._-]+$")
_SCP = re.compile(r"^(?:[A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,}):(?!//)(.+)$")
_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
# github.com/<first>/... paths that are not repositories.
_GITHUB_NOT_OWNERS = frozenset(
    {"sponsors", "orgs", "users", "settings", "marketplace", "features", "topics", "apps"}
)


def normalize_repository(value: object) -> str | None:
    """``https://host/owner/name`` for a repository reference, or None if it is not one."""
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if not raw or len(raw) > 2048:
        return None
    host: str | None
    path: str
    prefix, sep, rest = raw.partition(":")
    if sep and prefix.lower() in _PREFIX_HOSTS and not rest.startswith("//"):
        host, path = _PREFIX_HOSTS[prefix.lower()], rest
    elif _SHORTHAND.match(raw):
        host, path = "github.com", raw
    elif (scp := _SCP.match(raw)) and "://" not in raw:
        host, path = scp.group(1), scp.group(2)
    else:
        url = raw
        if url.lower().startswith("git+"):
            url = url[4:]
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            return None
        if parts.scheme.lower() not in ("http", "https", "git", "ssh") or not host:
            return None
        path = parts.path
    host = host.lower().removeprefix("www.")
    segments = [s for s in path.split("#", 1)[0].split("?", 1)[0].split("/") if s]
    if host == "gitlab.com" or (host.startswith("gitlab.") and "-" in segments):
        # GitLab: groups nest; "/-/" starts a page within the project.
        if "-" in segments:
            segments = segments[: segments.index("-")]
    else:
        segments = segments[:2]
    if segments and segments[-1].lower().endswith(".git"):
        segments[-1] = segments[-1][:-4]
    if len(segments) < 2 or not all(_SEGMENT.match(s) for s in segments):
        return None
    if host == "github.com" and segments[0].lower() in _GITHUB_NOT_OWNERS:
        return None
    return f"https://{host}/{'/'.join(segments)}"
