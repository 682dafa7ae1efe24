"""Text messages to the complainant: the gateways and the background sender
(docs/rules.md#text-messages)."""
