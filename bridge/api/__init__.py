"""The HTTP layer: one blueprint per audience, and the request guards they share."""
