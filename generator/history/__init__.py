"""History: a memory for the daily snapshots, carried from one published site to the next.

Pure parts, none of which fetches or renders:

- :mod:`~generator.history.model`: the files' models and the in-memory :class:`History`;
- :mod:`~generator.history.fold`: folding snapshots into days and per-package changes;
- :mod:`~generator.history.gate`: the publish gate (:func:`plan_update`, :func:`rebuild`);
- :mod:`~generator.history.store`: reading and writing ``data/history/``.

Reading the live site over HTTP is :mod:`generator.previous`; the trend charts, the Atom feed
and the changes page are under :mod:`generator.render`.
"""

from __future__ import annotations

from generator.errors import HistoryError, HistoryUnavailable, PublishRefused
from generator.history.fold import (
    append_snapshot,
    classify_change,
    package_history,
    recent_changes,
    summarize_day,
    transitions,
)
from generator.history.gate import (
    DEFAULT_MAX_ERROR_RATE,
    Plan,
    Previous,
    health,
    plan_update,
    rebuild,
)
from generator.history.model import (
    HISTORY_DIR,
    HISTORY_SCHEMA_VERSION,
    INDEX_FILE,
    Change,
    ChangeKind,
    ChangesFile,
    DailyFile,
    DailySummary,
    EcosystemHistory,
    EcosystemIndex,
    History,
    IndexFile,
    PackageState,
    StateFile,
)
from generator.history.store import (
    find_snapshots,
    history_files,
    parse_history,
    parse_model,
    read_history_dir,
    write_history,
)

__all__ = [
    "DEFAULT_MAX_ERROR_RATE",
    "HISTORY_DIR",
    "HISTORY_SCHEMA_VERSION",
    "INDEX_FILE",
    "Change",
    "ChangeKind",
    "ChangesFile",
    "DailyFile",
    "DailySummary",
    "EcosystemHistory",
    "EcosystemIndex",
    "History",
    "HistoryError",
    "HistoryUnavailable",
    "IndexFile",
    "PackageState",
    "Plan",
    "Previous",
    "PublishRefused",
    "StateFile",
    "append_snapshot",
    "classify_change",
    "find_snapshots",
    "health",
    "history_files",
    "package_history",
    "parse_history",
    "parse_model",
    "plan_update",
    "read_history_dir",
    "rebuild",
    "recent_changes",
    "summarize_day",
    "transitions",
    "write_history",
]
