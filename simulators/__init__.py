"""Protocol simulators: stand-ins for the outside services chatcart talks to.

Each speaks the real wire format of its service (`telegram_api`: the Telegram Bot API;
`wechat_server`: the WeChat official-account server and API; `wechatpay_gateway`: WeChat Pay
API v3; `alipay_gateway`: the Alipay open-platform gateway), records every call and can inject
the service's faults. The tests and the benchmarks drive them from code; a person can try a
channel without a real account from a terminal: `python -m simulators telegram` or
`python -m simulators wechat` (see README.md, "Trying a channel without an account").

This package imports nothing of chatcart: a simulator knows only the protocol it stands in for.
"""
