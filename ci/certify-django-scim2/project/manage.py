#!/usr/bin/env python3
"""The minimal Django project that serves django-scim2 for certify (ci/certify-django-scim2.sh)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scimproj.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
