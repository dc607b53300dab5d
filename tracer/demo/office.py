"""The programme office of Trà Vinh, the system administrator and a market inspector."""

from __future__ import annotations

from tracer.accounts.actors import SYSTEM, Actor
from tracer.demo.kit import Kit, password
from tracer.events.onboarding import register_inspector
from tracer.models.accounts import Role


def load(kit: Kit) -> Actor:
    """Onboard the office and its people; the office's authority actor certifies every product."""
    office = kit.org(
        name="Văn phòng Điều phối Chương trình OCOP tỉnh Trà Vinh",
        kind="authority",
        commune="Phường 1",
        district="Thành phố Trà Vinh",
        province="Trà Vinh",
    )
    kit.account("admin@example.vn", "Quản trị hệ thống", Role.ADMIN)
    authority = kit.account("vanphong@ocop.example.vn", "Nguyễn Thị Hồng Nhung", Role.AUTHORITY, office.id)
    inspector_password = password()
    register_inspector(
        session=kit.session,
        actor=SYSTEM,
        email="thanhtra@qltt.example.vn",
        full_name="Trần Văn Minh",
        password=inspector_password,
    )
    kit.result.accounts.append(("thanhtra@qltt.example.vn", inspector_password, Role.INSPECTOR.value))

    return authority
