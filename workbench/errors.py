"""Copydesk's one domain error type.

Transition functions raise CopydeskError with a message written for the
person in front of the screen; views turn it into a form error or a flash
message, the API into a 4xx JSON body, management commands into exit 2.
"""

from __future__ import annotations

from typing import Literal

ErrorCode = Literal["invalid", "forbidden", "conflict", "not_found"]

HTTP_STATUS: dict[ErrorCode, int] = {"invalid": 400, "forbidden": 403, "not_found": 404, "conflict": 409}


class CopydeskError(Exception):
    def __init__(self, message: str, *, code: ErrorCode = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]
