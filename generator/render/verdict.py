"""One verdict per package: its status and its verification read as one phrase, coloured by
the weaker of the two ("attested · failed verification" is red, not green).

Pure: no I/O, no Jinja. The templates get :func:`verdict`, :func:`panels_for` and
:func:`status_codes_json` through the render environment (:func:`template_globals`).
A tone is a word the stylesheet maps to a colour and an icon; it never names a status, so the
status codes stay in one table (``render.STATUS_CODE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.models import PackageResult, Status, Verification

#: Tones from strongest to weakest: the verdict takes the later of its two parts' tones.
TONES: tuple[str, ...] = ("good", "other", "caution", "bad", "alarm")
#: The tone of an unreadable package: not on the scale (it is not counted).
NEUTRAL = "neutral"

STATUS_TONE: dict[Status, str] = {
    Status.ATTESTED: "good",
    Status.UNSUPPORTED_CI: "other",
    Status.PRE_ATTESTATION: "caution",
    Status.MISSING: "bad",
    Status.ERROR: NEUTRAL,
}

VERIFICATION_TONE: dict[Verification, str] = {
    Verification.VERIFIED: "good",
    Verification.NOT_CHECKED: "caution",
    Verification.FAILED: "alarm",
}

VERIFICATION_PHRASE: dict[Verification, str] = {
    Verification.VERIFIED: "verified",
    Verification.NOT_CHECKED: "not verified",
    Verification.FAILED: "failed verification",
}

SEPARATOR = " · "


@dataclass(frozen=True)
class Verdict:
    phrase: str
    """What the row says, e.g. ``attested · verified`` or ``missing``."""
    tone: str
    """One of :data:`TONES` or :data:`NEUTRAL`: the weaker of status and verification."""

    @property
    def needs_help(self) -> bool:
        """Whether a maintainer has a next step: anything short of attested and verified."""
        return self.tone != "good"


def weaker(a: str, b: str) -> str:
    """The weaker of two tones on the :data:`TONES` scale."""
    return a if TONES.index(a) >= TONES.index(b) else b


def verdict(result: PackageResult) -> Verdict:
    """The one phrase and tone for ``result``.

    Only an attested release is verified (or not): its phrase names both parts. Any other
    status is the whole verdict (there is nothing to verify)."""
    tone = STATUS_TONE[result.status]
    if result.status is not Status.ATTESTED:
        return Verdict(result.status.value, tone)
    check = result.verification
    return Verdict(
        f"{result.status.value}{SEPARATOR}{VERIFICATION_PHRASE[check]}",
        weaker(tone, VERIFICATION_TONE[check]),
    )


#: Panels that only describe a release that could be read: an unreadable package has none of
#: these facts, so its page does not show them as "unknown" or "none declared".
READ_ONLY_PANELS = frozenset({"panels/release.html", "panels/provenance.html", "panels/build.html"})


def panels_for(result: PackageResult, panels: list[str]) -> list[str]:
    """The package-page panels that have something to say about ``result``."""
    if result.status is Status.ERROR:
        return [p for p in panels if p not in READ_ONLY_PANELS]
    return list(panels)


def source_repository(result: PackageResult) -> str | None:
    """The package's source repository as the registry declares it, else as its
    provenance states it (the caller keeps only http(s) URLs)."""
    if result.repository:
        return result.repository
    if result.build and result.build.source_repository:
        return result.build.source_repository
    return None


#: The status legend of every list: each verdict a row can read, with its tone, and the
#: methodology anchor that explains it. Built from :func:`verdict`'s own parts.
LEGEND: list[tuple[str, str, str]] = [
    *(
        (
            f"{Status.ATTESTED.value}{SEPARATOR}{VERIFICATION_PHRASE[check]}",
            weaker(STATUS_TONE[Status.ATTESTED], VERIFICATION_TONE[check]),
            check.value,
        )
        for check in (Verification.VERIFIED, Verification.NOT_CHECKED, Verification.FAILED)
    ),
    *(
        (status.value, STATUS_TONE[status], status.value)
        for status in Status
        if status is not Status.ATTESTED
    ),
]


def template_globals() -> dict[str, Any]:
    """What the templates need from this module."""
    return {
        "verdict": verdict,
        "panels_for": panels_for,
        "source_repository": source_repository,
        "verdict_separator": SEPARATOR,
        "verdict_legend": LEGEND,
        "list_config": {"tones": [*TONES, NEUTRAL], "separator": SEPARATOR},
    }
