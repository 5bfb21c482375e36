"""The Jinja environment's filters (render.env)."""

from __future__ import annotations

import json

from generator.render import script_json


def test_script_json_cannot_close_its_element() -> None:
    value = {"name": "</script><script>alert(1)</script>", "amp": "&", "ls": "\u2028"}
    text = str(script_json(value))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value
