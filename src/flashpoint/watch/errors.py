"""Why a feed or page could not be fetched; each maps to a Failure `kind`.

    InputError (flashpoint.errors)
    └── FetchError          kind "fetch": the request failed (connection refused, DNS, ...)
        ├── BlockedError        "blocked": a private, loopback, link-local or reserved
        │                       address, or a scheme other than http(s); never requested
        ├── RobotsError         "robots": robots.txt disallows the URL for our user agent
        ├── FetchTimeout        "timeout": connect/read timeout, or the page took too long
        ├── HTTPStatusError     "http_status": a 4xx/5xx answer (or too many redirects)
        ├── ContentTypeError    "content_type": not the kind of document asked for
        └── FeedError           "feed": malformed feed XML, or a feed with no items

    UnexpectedError         "internal": anything else raised while reading one feed or
                            page (a bug, a library's surprise): recorded, the rest go on

`TooLargeError` (kind "too_large") from `flashpoint.errors` covers oversized pages.
"""

from __future__ import annotations

from flashpoint.errors import InputError


class FetchError(InputError):
    kind = "fetch"

    #: Worth trying again on a later poll (a timeout, a 503), as opposed to a 404.
    transient = True


class BlockedError(FetchError):
    kind = "blocked"
    transient = False


class RobotsError(FetchError):
    kind = "robots"
    transient = False


class FetchTimeout(FetchError):
    kind = "timeout"


class HTTPStatusError(FetchError):
    kind = "http_status"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status
        # 408 Request Timeout, 429 Too Many Requests and 5xx may heal; other 4xx will not.
        self.transient = status >= 500 or status in (408, 429)


class ContentTypeError(FetchError):
    kind = "content_type"
    transient = False


class FeedError(FetchError):
    kind = "feed"
    transient = False


class UnexpectedError(InputError):
    kind = "internal"
