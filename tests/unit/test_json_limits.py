import json

import pytest

from core.json_limits import MAX_JSON_DEPTH, JsonTooDeep, check_depth, loads_bounded


def test_deep_nesting_is_refused_before_parsing() -> None:
    with pytest.raises(JsonTooDeep):
        loads_bounded(b"[" * 50_000 + b"]" * 50_000)  # json.loads would raise RecursionError
    with pytest.raises(JsonTooDeep):
        loads_bounded('{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1))


def test_the_limit_itself_and_wide_documents_pass() -> None:
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert loads_bounded(at_limit) == json.loads(at_limit)
    wide = json.dumps([[i] for i in range(5_000)])
    assert len(loads_bounded(wide)) == 5_000


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"note": "[" * 500 + '\\" {{{', "ok": True})
    check_depth(text.encode())
    assert loads_bounded(text)["ok"] is True


def test_invalid_json_is_still_a_value_error() -> None:
    with pytest.raises(json.JSONDecodeError):
        loads_bounded(b"{not json")
