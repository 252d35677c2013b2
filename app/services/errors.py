"""One exception type for every error a user can fix; views flash it, the API returns its status."""

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    status = 400

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self):
        return str(self.message)


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404

    def __init__(self, message=None):
        super().__init__(message or _l("Data tidak ditemukan."))


class Conflict(DomainError):
    status = 409
