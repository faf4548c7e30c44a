"""``python -m participatie``: the same as the ``participatie`` command."""

from participatie.cli import main

if __name__ == "__main__":
    main()
