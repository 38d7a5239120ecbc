"""Business stories told end to end through the real services, one step after another, with their figures."""
