"""The one way a view runs an action and shows its refusal: the CopydeskError becomes an error message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.http import HttpRequest

from workbench.errors import CopydeskError


@contextmanager
def errors_as_messages(request: HttpRequest) -> Iterator[None]:
    """Run the block; a CopydeskError it raises stops it and is shown to the user as an error message.

    Put the success message at the end of the block: it is reached only when the action went through.
    """
    try:
        yield
    except CopydeskError as exc:
        messages.error(request, exc.message)
