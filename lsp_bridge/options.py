"""The bridge's option names (lsp_bridge/arguments.py declares them to argparse), importing nothing, so
that proxy mode can read its server command before argparse loads (lsp_bridge/server.py); a unit test
keeps the two in step."""

FLAGS = ("--no-autostart", "-v", "--verbose")  # the options taking no value
VALUED = ("--log", "--spool-steps", "--tap-messages")  # the options taking one
