"""Setting passwords: activation, change, and the forgotten-password reset."""

from __future__ import annotations

import uuid

import structlog

from kisalli_accounts.adapters import credentials, sessions, throttle
from kisalli_accounts.adapters.repository import AccountRepository
from kisalli_accounts.adapters.secret_tokens import forget_tokens, redeem_token
from kisalli_accounts.domain.account import Account, LinkRefused
from kisalli_accounts.domain.names import canonical
from kisalli_accounts.domain.passwords import check_password
from kisalli_accounts.service_layer.context import Context
from kisalli_accounts.service_layer.registration import NotFound
from kisalli_shared.contracts.accounts import SecretLinkKind
from kisalli_shared.eventstore import Causation, ConcurrencyError

log = structlog.get_logger(__name__)

ACTIVATION = SecretLinkKind.ACTIVATION
RESET = SecretLinkKind.PASSWORD_RESET


class WrongPassword(Exception):
    """The current password given with a change was not the current one."""


class TooManyRequests(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many requests")
        self.retry_after = retry_after


def _context_of(account: Account) -> tuple[str, ...]:
    return (account.username, account.email, account.name)


async def _set_password(
    repo: AccountRepository, ctx: Context, account: Account, password: str
) -> None:
    hashed = await ctx.hashing.hash(password)
    await credentials.store_password_hash(
        repo.conn, account.account_id, hashed, ctx.clock()
    )


async def _holder(
    repo: AccountRepository, ctx: Context, token: str, kind: SecretLinkKind
) -> tuple[Account, str]:
    holder = await redeem_token(repo.conn, token, kind.value, ctx.clock())
    if holder is None:
        raise LinkRefused
    account = await repo.get(holder.account_id)
    if account is None:
        raise LinkRefused
    return account, holder.request_id


async def activate(
    ctx: Context, *, token: str, password: str, causation: Causation
) -> Account:
    """Set the first password through an activation link.

    Raises LinkRefused or PasswordRejected; either leaves the link unused.
    """
    async with ctx.transaction() as repo:
        account, request_id = await _holder(repo, ctx, token, ACTIVATION)
        check_password(password, context=_context_of(account))
        events = account.activate(request_id, ctx.clock())
        await _set_password(repo, ctx, account, password)
        return await repo.save(account, events, causation)


async def change_password(
    ctx: Context,
    *,
    account_id: str,
    session_id: str | None,
    current_password: str,
    new_password: str,
    causation: Causation,
) -> None:
    """Change a password knowing the current one; other sessions end."""
    async with ctx.transaction() as repo:
        account = await repo.get(account_id)
        if account is None:
            raise NotFound
        stored = await credentials.password_hash(repo.conn, account_id)
        if not await ctx.hashing.verify(stored, current_password):
            raise WrongPassword
        check_password(new_password, context=_context_of(account))

        events = account.change_password()
        await _set_password(repo, ctx, account, new_password)
        await repo.save(account, events, causation)
        # A changed password makes every reset link useless.
        await forget_tokens(repo.conn, account_id, RESET.value)
        await sessions.end_sessions_of(
            repo.conn, account_id, "password-changed", ctx.clock(), keep=session_id
        )


async def request_reset(
    ctx: Context, *, login: str, client_address: str, causation: Causation
) -> None:
    """Queue a reset email if an account has this username or email.

    Says nothing about whether one did. Raises TooManyRequests only for the
    client address, which tells nothing about any account.
    """
    policy = ctx.policy
    now = ctx.clock()
    try:
        async with ctx.transaction() as repo:
            if not await throttle.within_limit(
                repo.conn,
                f"reset-address:{client_address}",
                now=now,
                window=policy.reset_window,
                limit=policy.resets_per_address,
            ):
                raise TooManyRequests(int(policy.reset_window.total_seconds()))

            account = await repo.by_name(canonical(login))
            if account is None:
                return
            # Over its own limit an account gets no more mail, and the
            # answer stays the same.
            if not await throttle.within_limit(
                repo.conn,
                f"reset-account:{account.account_id}",
                now=now,
                window=policy.reset_window,
                limit=policy.resets_per_account,
            ):
                log.info("reset_request_over_account_limit")
                return

            request_id = str(uuid.uuid4())
            events = account.request_reset(request_id, now, policy.reset_valid_for)
            account = await repo.save(account, events, causation)
            # A newer request makes older links useless.
            await forget_tokens(repo.conn, account.account_id, RESET.value)
            assert account.reset is not None
            await ctx.links.send(
                repo.conn, account, RESET, request_id, account.reset.expires_at
            )
    except ConcurrencyError:
        # Another request for the same account won the race; its link stands.
        log.info("reset_request_raced")


async def complete_reset(
    ctx: Context, *, token: str, new_password: str, causation: Causation
) -> None:
    """Set a new password through a reset link; every session ends.

    Raises LinkRefused or PasswordRejected; either leaves the link unused.
    """
    async with ctx.transaction() as repo:
        account, request_id = await _holder(repo, ctx, token, RESET)
        check_password(new_password, context=_context_of(account))
        events = account.complete_reset(request_id, ctx.clock())
        await _set_password(repo, ctx, account, new_password)
        await repo.save(account, events, causation)
        await forget_tokens(repo.conn, account.account_id, RESET.value)
        # The reset lifts the lock (in the events); the count starts again.
        await throttle.clear_failures(repo.conn, account.account_id)
        await sessions.end_sessions_of(
            repo.conn, account.account_id, "password-reset", ctx.clock()
        )
