#!/usr/bin/env python
import os
import secrets
import sys

# Commands that only read or write the project's code (migrations, the message catalogue) sign nothing and serve
# nothing, so they run without a deployment's SECRET_KEY: a throwaway key for this process only. Everything else,
# `check` and the servers included, still refuses to start with DEBUG off and no key (config/settings.py).
CODE_ONLY_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "makemessages", "compile_translations"}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1:2] and sys.argv[1] in CODE_ONLY_COMMANDS and not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
