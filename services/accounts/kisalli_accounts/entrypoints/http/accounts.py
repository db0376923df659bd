"""People's accounts: /accounts."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status
from fastapi.responses import JSONResponse

from kisalli_accounts.adapters import idempotency, views
from kisalli_accounts.entrypoints.http.dependencies import (
    CallerDep,
    CausationDep,
    ContextDep,
    OfficeDep,
)
from kisalli_accounts.entrypoints.http.schemas import (
    AccountPage,
    AccountView,
    ActivateRequest,
    ChangePasswordRequest,
    EmailChange,
    NewColleague,
)
from kisalli_accounts.service_layer import passwords, registration
from kisalli_accounts.service_layer.registration import NotFound
from kisalli_shared.contracts.common import Role
from kisalli_shared.problems import Problem, problem_responses

router = APIRouter(prefix="/accounts", tags=["accounts"])

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, pattern=r"^[\x21-\x7e]+$"),
]
AccountId = Annotated[str, Path(max_length=64)]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=100)]
_VERSION_TAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def _etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


@router.get("/me", responses=problem_responses(401, 404))
async def my_account(
    caller: CallerDep, ctx: ContextDep, response: Response
) -> AccountView:
    """The caller's own account."""
    async with ctx.transaction() as repo:
        account = await repo.get(caller.account_id)
    if account is None:
        raise NotFound
    _etag(response, account.version)
    return AccountView.of(account)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
)
async def change_password(
    body: ChangePasswordRequest,
    caller: CallerDep,
    ctx: ContextDep,
    causation: CausationDep,
) -> None:
    """Change the caller's password, giving the current one.

    The caller's other sessions end, and reset links sent earlier stop
    working. A refused new password is answered with the reason.
    """
    await passwords.change_password(
        ctx,
        account_id=caller.account_id,
        session_id=caller.session_id,
        current_password=body.current_password,
        new_password=body.new_password,
        causation=causation,
    )


@router.post("/activate", responses=problem_responses(400))
async def activate(
    body: ActivateRequest, ctx: ContextDep, causation: CausationDep
) -> AccountView:
    """Set the first password with the token from the activation email."""
    account = await passwords.activate(
        ctx, token=body.token, password=body.password, causation=causation
    )
    return AccountView.of(account)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409),
)
async def create_colleague(
    body: NewColleague,
    caller: CallerDep,
    office: OfficeDep,
    ctx: ContextDep,
    causation: CausationDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Create an office staff account for a colleague in the caller's office.

    The colleague gets an activation email to set their own password. Send
    an Idempotency-Key to make a retried request create one account only.
    """
    fingerprint = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    async with ctx.transaction() as repo:
        if idempotency_key:
            earlier = await idempotency.recall(
                repo.conn, caller.account_id, idempotency_key
            )
            if earlier is not None:
                if earlier.fingerprint != fingerprint:
                    raise Problem(
                        422,
                        "idempotency-key-reused",
                        "Idempotency key reused",
                        "This Idempotency-Key was used with another request.",
                    )
                return JSONResponse(earlier.body, earlier.status)
        account = await registration.register(
            repo,
            ctx,
            role=Role.OFFICE_STAFF,
            username=body.username,
            email=body.email,
            name=body.name,
            language=body.language,
            office_id=office,
            causation=causation,
        )
        answer = AccountView.of(account).model_dump(mode="json")
        if idempotency_key:
            await idempotency.remember(
                repo.conn,
                caller.account_id,
                idempotency_key,
                idempotency.Remembered(fingerprint, 201, answer),
            )
    headers = {
        "ETag": f'"{account.version}"',
        "Location": f"/accounts/{account.account_id}",
    }
    return JSONResponse(answer, 201, headers=headers)


@router.get("", responses=problem_responses(401, 403))
async def list_accounts(
    office: OfficeDep,
    ctx: ContextDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AccountPage:
    """Accounts the caller's office manages: its staff, tutors and apprentices."""
    rows = await views.accounts_of_office(ctx.pool, office, limit + 1, offset)
    items = [AccountView.model_validate(row) for row in rows[:limit]]
    more = len(rows) > limit
    return AccountPage(
        items=items,
        limit=limit,
        offset=offset,
        next_offset=offset + limit if more else None,
    )


@router.get("/{account_id}", responses=problem_responses(401, 403, 404))
async def read_account(
    account_id: AccountId,
    office: OfficeDep,
    ctx: ContextDep,
    response: Response,
) -> AccountView:
    """One account the caller's office manages; 404 for any other."""
    async with ctx.transaction() as repo:
        account = await registration.visible_account(repo, account_id, office)
    _etag(response, account.version)
    return AccountView.of(account)


@router.patch(
    "/{account_id}/email",
    responses=problem_responses(400, 401, 403, 404, 409, 412),
)
async def change_email(
    account_id: AccountId,
    body: EmailChange,
    caller: CallerDep,
    office: OfficeDep,
    ctx: ContextDep,
    causation: CausationDep,
    response: Response,
    if_match: IfMatch = None,
) -> AccountView:
    """Change a person's email address when the office has been told of it.

    The old and the new address both hear of the change. Links sent to the
    old address stop working. Send If-Match with the account's ETag to make
    sure nobody changed it since it was read (412 if someone did).
    """
    expected = _version_of(if_match)
    async with ctx.transaction() as repo:
        account = await registration.change_email(
            repo,
            ctx,
            account_id=account_id,
            new_email=body.email,
            office_id=office,
            changed_by=caller.account_id,
            expected_version=expected,
            causation=causation,
        )
    _etag(response, account.version)
    return AccountView.of(account)


def _version_of(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    found = _VERSION_TAG.match(if_match.strip())
    if found is None:
        raise Problem(
            400,
            "if-match-malformed",
            "Bad If-Match",
            'If-Match takes the ETag of the account, such as "3".',
        )
    return int(found.group(1))
