"""When to try an email again, and when to stop."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: float = 2.0
    max_delay: float = 900.0
    # With the delays above, about a day of trying before giving up.
    max_attempts: int = 100

    def delay_after(self, attempts: int) -> float:
        """Seconds to wait after the given number of failed attempts."""
        delay: float = self.first_delay * 2.0 ** max(attempts - 1, 0)
        return min(delay, self.max_delay)

    def gives_up_after(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


def is_permanent(smtp_code: int | None) -> bool:
    """A 5xx reply means the server will never take this email (RFC 5321 4.2.1)."""
    return smtp_code is not None and 500 <= smtp_code < 600
