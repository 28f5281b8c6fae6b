"""Exchange: export, reading an export, import, the CSV backup, the seed."""
