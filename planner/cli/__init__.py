"""The `lowalt` command line: entry point, exit codes, console output and one module per subcommand.

Only this package configures logging and prints; the library never does.
"""
