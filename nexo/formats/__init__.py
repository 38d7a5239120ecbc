"""Date and time formats per language, where Django's own do not suit the reader (FORMAT_MODULE_PATH)."""
