"""CLI subcommands, one module per feature area; each registers itself with cli.REGISTRARS."""

# Order = order in --help.
FEATURE_MODULES: list[str] = [
    "evidence",
    "audio",
    "incidents",
    "statistics",
    "bundle",
    "central",
    "retention",
    "timestamp",
    "poster",
    "machine_settings",
]
