"""The one pattern for a view that runs an action: its refusal becomes an error message, nothing after it runs."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from workbench.action_errors import errors_as_messages
from workbench.errors import CopydeskError


def _request():  # type: ignore[no-untyped-def]
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_it_shows_a_refusal_as_an_error_and_skips_the_rest_of_the_block():
    request, reached = _request(), []
    with errors_as_messages(request):
        raise CopydeskError("Only admins can change segments.", code="forbidden")
        reached.append("success message")  # noqa: unreachable on purpose
    assert not reached
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [("error", "Only admins can change segments.")]


def test_it_lets_the_block_finish_and_lets_other_errors_through():
    request = _request()
    with errors_as_messages(request):
        value = 41 + 1
    assert value == 42 and not list(get_messages(request))
    with pytest.raises(ZeroDivisionError), errors_as_messages(request):
        1 / 0  # a bug is not a refusal: it is not turned into a message
