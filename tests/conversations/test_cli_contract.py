"""`chatcart chat --script FILE --json`: the exact output contract outside evaluators rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from chatcart.settings import Settings

SCRIPT = """\
# an empty store still answers every line
你好
@没有这个按钮
!nonsense
!pay
/cart
where is my order?
"""


def test_script_mode_prints_one_json_object_per_turn_and_a_summary(tmp_path: Path, shop_settings: Settings) -> None:
    script = tmp_path / "chat.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {
        **os.environ,
        "MONGODB_URI": str(shop_settings.mongodb_uri),
        "CHATCART_DB_NAME": f"cli_{uuid.uuid4().hex[:8]}",
        "CHATCART_DATA_DIR": str(shop_settings.data_dir),  # reuses the trained NLU model
        "CHATCART_PAYMENT_SANDBOX_SECRET": "conversation-tests-secret",
    }
    command = [sys.executable, "-c", "from chatcart.cli import main; main()"]
    done = subprocess.run(
        [*command, "chat", "--script", str(script), "--json", "--user", "cli-1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    turns, summary = lines[:-1], lines[-1]
    assert [t["turn"] for t in turns] == [1, 2, 3, 4, 5, 6]
    assert [t["input"] for t in turns] == ["你好", "@没有这个按钮", "!nonsense", "!pay", "/cart", "where is my order?"]
    for turn in turns:
        assert set(turn) == {"turn", "input", "intent", "replies"}
        assert turn["replies"], turn
        for reply in turn["replies"]:
            assert {"type", "text", "buttons"} <= set(reply)
            assert all(set(b) == {"label", "payload"} for b in reply["buttons"])
    assert turns[1]["intent"] == "error"
    assert turns[2]["intent"] == "error"
    assert set(summary) == {"summary"}
    body = summary["summary"]
    assert set(body) == {"customer", "cart", "orders", "after_sales", "handoff"}
    assert body["cart"] == []
    assert body["orders"] == []
    assert body["after_sales"] == []
    assert body["handoff"] == "none"
    assert isinstance(body["customer"], str)
    assert body["customer"]
