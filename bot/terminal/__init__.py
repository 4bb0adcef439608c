"""The terminal channel: interactive chat and the scripted `chatcart chat --script` mode."""

from bot.terminal.runner import CHANNEL, ChatRunner, TurnOutput

__all__ = ["CHANNEL", "ChatRunner", "TurnOutput"]
