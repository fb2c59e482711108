"""Pure rules of the circular: no I/O, no Telegram, no SQL."""
