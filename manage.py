#!/usr/bin/env python
"""Django's manage.py, kept for habit; ``cuntong`` is the same command."""

from cuntong.__main__ import main

if __name__ == "__main__":
    main()
