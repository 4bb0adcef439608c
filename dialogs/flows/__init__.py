"""Conversation flows: browsing, cart, checkout, orders, after-sales, information, handoff."""
