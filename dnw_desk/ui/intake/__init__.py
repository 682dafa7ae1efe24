"""The intake screen: register a case at the counter and hand over the receipt."""
