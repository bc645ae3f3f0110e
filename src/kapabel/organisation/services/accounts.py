"""Logins and granted roles: creating a municipality's logins, linking them to employees, granting
and revoking roles. Each validates, runs in a transaction and leaves an audit event; a user acting
never grants beyond their own reach (`organisation.permissions.can_grant_role`)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.access import forget_scope
from kapabel.core.audit import Actor
from kapabel.core.models import GRANTED_ROLES, Municipality, Role, User
from kapabel.organisation import permissions
from kapabel.organisation.models import Employee, OrgUnit, RoleAssignment


@transaction.atomic
def employee_link_user(*, employee: Employee, user: User | None, actor: Actor) -> Employee:
    before = employee.user_id
    employee.user = user
    employee.save(update_fields=["user"])
    audit.record(
        "organisation.employee.user_linked",
        actor=actor,
        obj=employee,
        changes={"user": [before, user.pk if user else None]},
    )
    return employee


# --- Granted roles ----------------------------------------------------------------------------


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    municipality: Municipality | None = None,
    unit: OrgUnit | None = None,
    actor: Actor,
) -> RoleAssignment:
    """Give `user` a granted role (HR, coordinator, municipality or platform administrator). A user
    acting grants only within their own reach (`permissions.can_grant_role`); system actors (the
    command line, the demo) are not limited."""
    if role in (Role.EMPLOYEE, Role.MANAGER):
        raise ValidationError(
            {"role": _("Employee and manager roles follow from the organisation and cannot be granted.")}
        )
    if role not in {value for value, _label in GRANTED_ROLES}:
        raise ValidationError({"role": _("Choose one of the roles in the list.")})
    if role == Role.PLATFORM_ADMIN:
        municipality, unit = None, None
    elif municipality is None:
        raise ValidationError({"municipality": _("Choose the municipality the role applies to.")})
    if unit is not None and municipality is not None and unit.municipality_id != municipality.pk:
        raise ValidationError({"unit": _("The unit belongs to another municipality.")})
    if role == Role.MUNICIPALITY_ADMIN and unit is not None:
        raise ValidationError(
            {"unit": _("A municipality administrator covers the whole municipality: leave the unit empty.")}
        )
    if isinstance(actor, User) and not permissions.can_grant_role(
        actor, role, municipality.pk if municipality else None, unit
    ):
        raise PermissionDenied(_("You may not grant this role here."))
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, municipality=municipality, unit=unit
    )
    if created:
        audit.record(
            "core.role.granted",
            actor=actor,
            obj=assignment,
            municipality_id=municipality.pk if municipality else None,
            object_repr=f"{user.get_username()}: {role}",
            changes={"role": [None, role], "unit": [None, unit.pk if unit else None]},
        )
    forget_scope(user)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: Actor) -> None:
    """Take a granted role away. A user acting revokes only within their reach, and never their own
    administrator role."""
    if isinstance(actor, User):
        own = assignment.user_id == actor.pk
        if own and assignment.role in (Role.MUNICIPALITY_ADMIN, Role.PLATFORM_ADMIN):
            raise ValidationError(
                _("You cannot take away your own administrator role. Ask another administrator to do it.")
            )
        if not permissions.can_revoke_role(actor, assignment):
            raise PermissionDenied(_("You may not take away this role."))
    audit.record(
        "core.role.revoked",
        actor=actor,
        obj=assignment,
        municipality_id=assignment.municipality_id,
        object_repr=f"{assignment.user.get_username()}: {assignment.role}",
        changes={"role": [assignment.role, None], "unit": [assignment.unit_id, None]},
    )
    assignment.delete()
    forget_scope(assignment.user)


# --- Logins -----------------------------------------------------------------------------------

USER_FIELDS = ("username", "first_name", "last_name", "email")


@transaction.atomic
def user_create(
    *,
    municipality: Municipality,
    username: str,
    actor: Actor,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
    employee: Employee | None = None,
    role: str | None = None,
    unit: OrgUnit | None = None,
) -> User:
    """A new login of the municipality: linked to one of its employees, given a role there, or both
    (a login with neither would belong nowhere). Without a password the login cannot be used until
    one is set (`kapabel changepassword`). Everything is written, or nothing."""
    account = User(
        username=username.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
    )
    errors: dict[str, list[str]] = {}
    try:
        account.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if account.username and User.objects.filter(username__iexact=account.username).exists():
        errors.setdefault("username", []).append(
            _("There is already a user named %(name)s.") % {"name": account.username}
        )
    if employee is None and not role:
        errors.setdefault("role", []).append(
            _("Link the login to an employee or give it a role; otherwise it belongs to no municipality.")
        )
    if employee is not None:
        if employee.municipality_id != municipality.pk:
            errors.setdefault("employee", []).append(_("The employee belongs to another municipality."))
        elif employee.user_id is not None:
            errors.setdefault("employee", []).append(
                _("%(name)s already has a login.") % {"name": employee.name}
            )
    if password is not None:
        try:
            validate_password(password, account)
        except ValidationError as exc:
            errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    if password is None:
        account.set_unusable_password()
    else:
        account.set_password(password)
    try:
        with transaction.atomic():  # a savepoint: a username taken meanwhile is a message, not a 500
            account.save()
    except IntegrityError:
        raise ValidationError(
            {"username": _("There is already a user named %(name)s.") % {"name": account.username}}
        ) from None
    audit.record(
        "core.user.created",
        actor=actor,
        obj=account,
        municipality_id=municipality.pk,
        object_repr=account.get_username(),
        changes=audit.diff({}, audit.snapshot(account, USER_FIELDS)),
    )
    if employee is not None:
        employee_link_user(employee=employee, user=account, actor=actor)
    if role:
        role_grant(user=account, role=role, municipality=municipality, unit=unit, actor=actor)
    return account
