"""One module per ``desktopchat`` subcommand: each adds its parser and runs it."""
