#!/usr/bin/env python
"""Copydesk's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(sys.argv)
    except DatabaseError as exc:
        # A fresh checkout (no tables yet) or a database that is down: one line, not a
        # traceback. --traceback shows it, as it does for Django's own command errors.
        if "--traceback" in sys.argv:
            raise
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        command = sys.argv[1] if len(sys.argv) > 1 else "manage.py"
        sys.stderr.write(f"{command}: error: the database is not ready ({reason}); "
                         "set it up with ./copydesk run or manage.py migrate\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
