"""`python -m simulators telegram|wechat`: chat with chatcart through a simulated service."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from simulators.telegram_chat import run_telegram_chat
from simulators.wechat_chat import run_wechat_chat


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m simulators", description="Try a chatcart channel without a real account."
    )
    channels = parser.add_subparsers(dest="channel", required=True)
    telegram = channels.add_parser("telegram", help="a fake Telegram Bot API; run `chatcart telegram polling` on it")
    telegram.add_argument("--port", type=int, default=8081, help="port of the fake Bot API (default 8081)")
    telegram.add_argument("--user-id", type=int, default=424242, help="Telegram id of the simulated customer")
    telegram.add_argument("--lang", default="en", help="the customer's Telegram language code (en, zh-hans)")
    wechat = channels.add_parser("wechat", help="a WeChat server and API; run `chatcart serve` against it")
    wechat.add_argument("--port", type=int, default=8082, help="port of the simulated WeChat API (default 8082)")
    wechat.add_argument(
        "--endpoint",
        default="http://127.0.0.1:8080/wechat",
        help="chatcart's WeChat webhook (default http://127.0.0.1:8080/wechat)",
    )
    wechat.add_argument("--openid", default="o-simulated-customer", help="openid of the simulated customer")
    wechat.add_argument("--plain", action="store_true", help="plain-text mode instead of safe mode (AES)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt, EOFError):
        if args.channel == "telegram":
            asyncio.run(run_telegram_chat(port=args.port, user_id=args.user_id, language_code=args.lang))
        else:
            asyncio.run(
                run_wechat_chat(port=args.port, endpoint=args.endpoint, openid=args.openid, safe=not args.plain)
            )


if __name__ == "__main__":
    main()
