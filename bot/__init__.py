"""Chat channels (web chat, terminal, Telegram, WeChat) on top of the dialog engine."""
