"""The portal's security manager: login by username/NRK/email, lock-out, JWT revocation, the user admin.

The roles and what each may open are in app/roles.py (a leaf module, so this one can import services).
"""

import logging

from flask import has_request_context
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView, UserDBModelView, UserStatsChartView
from flask_appbuilder.utils.limit import Limit
from flask_babel import lazy_gettext
from flask_limiter.util import get_remote_address
from sqlalchemy import func, or_, select

from app import formatting
from app.models.accounts import PortalUser
from app.roles import ROLE_ADMIN, ROLE_PENYEDIA
from app.services import audit, auth, verifikasi
from app.services.errors import DomainError
from app.views._base import SafeWriteMixin

log = logging.getLogger(__name__)


class PortalSecurityApi(SecurityApi):
    """FAB's /api/v1/security/login has no rate limit; this one counts POST /login like the HTML form."""

    limits = [
        Limit(
            limit_value=auth.api_login_rate_limit,
            key_func=get_remote_address,
            methods=("POST",),
            exempt_when=auth.api_login_limit_exempt,
            on_breach=auth.api_login_limit_breached,
        )
    ]


class PortalAuthDBView(AuthDBView):
    """FAB's login, on the portal's page: the field says "NRK atau email" and links to Daftar."""

    login_template = "akun/masuk.html"


class PortalSecurityManager(SecurityManager):
    user_model = PortalUser
    authdbview = PortalAuthDBView
    userdbmodelview = None  # set below, once the view class exists
    security_api = PortalSecurityApi

    def find_user_for_login(self, login):
        """Login by username, NRK or email (case-insensitive)."""
        login = (login or "").strip()
        if not login:
            return None
        model = self.user_model
        stmt = select(model).where(
            or_(
                model.username == login,
                func.lower(model.email) == login.lower(),
                model.nrk == login,
            )
        )
        return self.session.execute(stmt).scalars().first()

    def auth_user_db(self, username, password):
        # One lookup for every login (known or not), then FAB's own balanced path: unknown users get
        # a fake hash check, so both failures answer alike and in similar time.
        user = self.find_user_for_login(username)
        if user is not None and auth.is_locked(user):
            auth.balance_locked_attempt(self, user, password)
            return None
        if user is not None:
            username = user.username
        return super().auth_user_db(username, password)

    def create_jwt_manager(self, app):
        """API tokens carry a fingerprint of the password hash: a new password revokes them (refresh tokens too)."""
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(auth.jwt_claims)
        jwt_manager.token_in_blocklist_loader(auth.jwt_revoked)
        return jwt_manager

    # FAB 5.2.1+ hooks: called from update_user_auth_stat and the logout view.
    def on_user_login(self, user):
        auth.record_login_success(user)

    def on_user_login_failed(self, user):
        auth.record_login_failure(user)

    def on_user_logout(self, user):
        auth.record_logout(user)

    def reset_password(self, userid, password):
        """FAB's own and admin reset forms: a new password ends the user's other sessions."""
        super().reset_password(userid, password)
        user = self.get_user_by_id(userid)
        auth.bump_session_version(user)
        user.locked_until = None
        audit.catat("ab_user", user.id, "ubah_kata_sandi", self.current_user if has_request_context() else None)
        self.session.commit()
        auth.keep_current_session(user)


def _org_fields(columns):
    return columns[:5] + ["nrk", "nip", "jabatan", "telepon", "satker", "penyedia"] + columns[5:]


class PortalUserDBModelView(SafeWriteMixin, UserDBModelView):
    """FAB's user admin plus NRK and the one organisation (satker/BUMD or Penyedia) of the user."""

    add_columns = _org_fields(UserDBModelView.add_columns)
    edit_columns = _org_fields(UserDBModelView.edit_columns)
    list_columns = ["first_name", "last_name", "username", "email", "nrk", "satker", "penyedia", "active", "roles"]
    search_columns = UserDBModelView.search_columns + ["nrk", "satker", "penyedia"]
    show_fieldsets = [
        (
            lazy_gettext("User info"),
            {"fields": ["username", "nrk", "nip", "jabatan", "active", "roles", "satker", "penyedia", "login_count"]},
        ),
        (lazy_gettext("Personal Info"), {"fields": ["first_name", "last_name", "email", "telepon"], "expanded": True}),
    ]
    label_columns = {
        **UserDBModelView.label_columns,
        "nrk": lazy_gettext("NRK"),
        "nip": lazy_gettext("NIP"),
        "jabatan": lazy_gettext("Jabatan"),
        "telepon": lazy_gettext("Telepon"),
        "satker": lazy_gettext("Satker / BUMD"),
        "penyedia": lazy_gettext("Penyedia"),
    }

    # Profil and the user pages read as sentences: "Ya"/"Tidak", role names, "-" (never True, [Pembeli], None)
    formatters_columns = {
        "active": lambda v: formatting.ya_tidak(v),
        "roles": lambda roles: ", ".join(r.name for r in roles or []) or "-",
        **{
            c: (lambda v: "-" if v in (None, "") else v)
            for c in ("nrk", "nip", "jabatan", "telepon", "satker", "penyedia")
        },
    }

    def _check_org(self, item):
        # the NIP printed on the letters this official signs: 18 digits (ASN), or none
        item.nip = (item.nip or "").strip() or None
        item.jabatan = (item.jabatan or "").strip() or None
        if item.nip:
            try:
                verifikasi.validate_nip(item.nip, None)
            except DomainError as e:
                raise ValueError(str(e)) from None
        roles = {r.name for r in item.roles}
        if item.satker and item.penyedia:
            raise ValueError(str(lazy_gettext("Pengguna hanya boleh terhubung ke satu organisasi.")))
        if ROLE_PENYEDIA in roles and not item.penyedia:
            raise ValueError(str(lazy_gettext("Pengguna berperan Penyedia harus terhubung ke perusahaan Penyedia.")))
        if roles - {ROLE_ADMIN, ROLE_PENYEDIA} and not item.satker:
            raise ValueError(str(lazy_gettext("Pengguna ini harus terhubung ke satker/BUMD.")))

    def pre_add(self, item):
        super().pre_add(item)
        self._check_org(item)

    def pre_update(self, item):
        super().pre_update(item)
        self._check_org(item)


class PortalUserStatsChartView(UserStatsChartView):
    """FAB writes its chart labels as plain English strings; these use FAB's translated msgids."""

    definitions = [
        {"label": lazy_gettext("Login count"), "group": "username", "series": ["login_count"]},
        {"label": lazy_gettext("Failed login count"), "group": "username", "series": ["fail_login_count"]},
    ]


PortalSecurityManager.userdbmodelview = PortalUserDBModelView
PortalSecurityManager.userstatschartview = PortalUserStatsChartView
