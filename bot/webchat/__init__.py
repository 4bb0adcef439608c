"""The built-in web chat channel (one page, one WebSocket)."""

from bot.webchat.otp import INDEXES, OtpService, SandboxEmail, SandboxSms
from bot.webchat.server import CHANNEL, WebChat, session_user, setup_webchat

__all__ = ["CHANNEL", "INDEXES", "OtpService", "SandboxEmail", "SandboxSms", "WebChat", "session_user", "setup_webchat"]
