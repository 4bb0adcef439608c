"""The WeChat official-account channel (微信公众号): webhook, replies, OAuth, templates, menu."""

from bot.wechat.channel import INDEXES, WeChatChannel, build_channel, setup_wechat
from bot.wechat.config import TemplateIds, WeChatConfig

__all__ = ["INDEXES", "TemplateIds", "WeChatChannel", "WeChatConfig", "build_channel", "setup_wechat"]
