"""The domain's exceptions. Each carries what a client needs: an HTTP status, a title, a detail, a field.

Views and the CLI never build error responses themselves: ``tracer.platform.problems`` maps these to RFC 9457
problem+json for the API and to a page for HTML; the CLI prints the detail on one line and exits 1.
An error raised with a ``tracer.platform.messages.Message`` keeps its id and parameters, so that the web
forms can
say it in the reader's language without reading the English.
"""

from __future__ import annotations

from typing import Any

from tracer.platform.messages import Message

#: One title per problem type (RFC 9457, 3.1.3: a type's title does not change from occurrence to occurrence):
#: the type's slug (its URI is ``problems.PROBLEM_BASE`` + slug) and its title, in sentence case. Every
#: ``TracerError`` class and every problem the error handlers make (``tracer.platform.problems``) takes its
#: title from here; a class naming another title for a slug listed here fails at import. A new type not listed
#: is added by its first class (``title_of``), and must then keep that title.
PROBLEM_TITLES: dict[str, str] = {
    "bad-request": "Bad request",
    "invalid-input": "Invalid input",
    "malformed-body": "Malformed request body",
    "unsupported-media-type": "Unsupported media type",
    "bad-parameter": "Bad parameter",
    "bad-idempotency-key": "Bad idempotency key",
    "bad-code": "Not a valid GS1 Digital Link",
    "bad-id": "Malformed identifier",
    "rule-violated": "Rule violated",
    "out-of-balance": "Out of balance",
    "not-found": "Not found",
    "conflict": "Conflict",
    "unauthenticated": "Authentication required",
    "forbidden": "Forbidden",
    "method-not-allowed": "Method not allowed",
    "request-entity-too-large": "Request body too large",
    "rate-limited": "Too many requests",
    "ledger-verification": "Ledger verification failed",
    "unavailable": "Service unavailable",
    "storage-full": "Service unavailable",
    "not-initialised": "Service unavailable",
    "internal": "Internal error",
}


def title_of(slug: str, default: str) -> str:
    """The title of problem type ``slug``: the table's, or ``default`` (in sentence case), which becomes the
    type's title from then on."""
    if slug not in PROBLEM_TITLES:
        PROBLEM_TITLES[slug] = default[:1].upper() + default[1:].lower()
    return PROBLEM_TITLES[slug]


class TracerError(Exception):
    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("title")
        if own is not None and cls.slug in PROBLEM_TITLES and own != PROBLEM_TITLES[cls.slug]:
            raise TypeError(f"{cls.__name__}: problem type {cls.slug!r} is titled "
                            f"{PROBLEM_TITLES[cls.slug]!r}, not {own!r} (errors.PROBLEM_TITLES)")  # fmt: skip
        cls.title = title_of(cls.slug, cls.title)

    def __init__(self, detail: str | Message, *, field: str | None = None, **params: Any) -> None:
        if params and not isinstance(detail, Message):
            raise TypeError("parameters need a Message to fill")
        self.message = detail if isinstance(detail, Message) else None
        text = detail.english({"field": field, **params}) if isinstance(detail, Message) else detail
        super().__init__(text)
        self.detail = text
        self.field = field
        self.params = params

    def within(self, path: str, where: str) -> TracerError:
        """This error, for a part of the request at ``path`` (``[3]``: the batch's fourth event): its field
        prefixed with the path, its detail with ``where``. The message id and parameters are kept."""
        inner = self.field or ""
        self.field = path + (inner if inner[:1] in ("", "[") else f".{inner}")
        self.detail = f"{where}: {self.detail}"
        self.args = (self.detail,)
        return self


class InvalidInput(TracerError):
    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class OutOfBalance(InvalidInput):
    """More comes out than went in: a process step beyond its yield, packages beyond what was used, a harvest
    beyond its zone (``tracer.events.balance``)."""

    status = 422
    title = "Out of balance"
    slug = "out-of-balance"


class MalformedBody(TracerError):
    status = 400
    title = "Malformed request body"
    slug = "malformed-body"


class UnsupportedMediaType(TracerError):
    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"


class BadParameter(TracerError):
    status = 400
    title = "Bad parameter"
    slug = "bad-parameter"


class RuleViolation(TracerError):
    """Well-formed input that breaks a rule of the domain (overdraw, a lot held by someone else...)."""

    status = 409
    title = "Rule violated"
    slug = "rule-violated"


class NotFound(TracerError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(TracerError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class Unauthenticated(TracerError):
    status = 401
    title = "Authentication required"
    slug = "unauthenticated"


class Forbidden(TracerError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class TooManyRequests(TracerError):
    status = 429
    title = "Too many requests"
    slug = "rate-limited"

    def __init__(self, detail: str, *, retry_after: int = 60) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(TracerError):
    """A service the request needs does not answer (the shared rate-limit store, say): 503, try again."""

    status = 503
    title = "Service unavailable"
    slug = "unavailable"
