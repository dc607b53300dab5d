"""Which province a coarse location falls in, for the inspectors' filter "where scanned" (issue #21).

A shared location is kept only to 0.1 degree (``tracer.scans.recorder``), about 11 km: the province is the
one whose seat (the provincial capital, WGS 84, rounded to 0.001 degree) is nearest, if one is within
``REACH_KM``. Near a border this can name the neighbour: the name is a filter for inspectors, not a fact
shown to anyone. The 63 provinces and centrally-run cities are those before the 2025 mergers, as producers
and sale points still write them in their addresses (the demo data does).
"""

from __future__ import annotations

import math
from decimal import Decimal

REACH_KM = 120.0
SEATS: dict[str, tuple[float, float]] = {
    "Hà Nội": (21.028, 105.854), "Hà Giang": (22.823, 104.984), "Cao Bằng": (22.666, 106.258),
    "Bắc Kạn": (22.147, 105.835), "Tuyên Quang": (21.818, 105.211), "Lào Cai": (22.486, 103.971),
    "Điện Biên": (21.386, 103.023), "Lai Châu": (22.396, 103.458), "Sơn La": (21.327, 103.914),
    "Yên Bái": (21.705, 104.875), "Hoà Bình": (20.817, 105.338), "Thái Nguyên": (21.594, 105.848),
    "Lạng Sơn": (21.853, 106.761), "Quảng Ninh": (20.951, 107.080), "Bắc Giang": (21.273, 106.194),
    "Phú Thọ": (21.322, 105.402), "Vĩnh Phúc": (21.310, 105.597), "Bắc Ninh": (21.186, 106.076),
    "Hải Dương": (20.940, 106.333), "Hải Phòng": (20.845, 106.688), "Hưng Yên": (20.646, 106.051),
    "Thái Bình": (20.447, 106.336), "Hà Nam": (20.541, 105.914), "Nam Định": (20.434, 106.177),
    "Ninh Bình": (20.251, 105.975), "Thanh Hoá": (19.807, 105.776), "Nghệ An": (18.679, 105.681),
    "Hà Tĩnh": (18.343, 105.906), "Quảng Bình": (17.468, 106.622), "Quảng Trị": (16.816, 107.100),
    "Thừa Thiên Huế": (16.464, 107.590), "Đà Nẵng": (16.054, 108.202), "Quảng Nam": (15.573, 108.474),
    "Quảng Ngãi": (15.120, 108.792), "Bình Định": (13.782, 109.219), "Phú Yên": (13.088, 109.309),
    "Khánh Hoà": (12.238, 109.197), "Ninh Thuận": (11.565, 108.988), "Bình Thuận": (10.928, 108.102),
    "Kon Tum": (14.350, 108.000), "Gia Lai": (13.983, 108.000), "Đắk Lắk": (12.667, 108.038),
    "Đắk Nông": (12.004, 107.691), "Lâm Đồng": (11.940, 108.458), "Bình Phước": (11.535, 106.883),
    "Tây Ninh": (11.310, 106.098), "Bình Dương": (10.980, 106.652), "Đồng Nai": (10.957, 106.843),
    "Bà Rịa - Vũng Tàu": (10.496, 107.169), "Hồ Chí Minh": (10.776, 106.700), "Long An": (10.535, 106.413),
    "Tiền Giang": (10.360, 106.360), "Bến Tre": (10.241, 106.376), "Trà Vinh": (9.935, 106.345),
    "Vĩnh Long": (10.254, 105.972), "Đồng Tháp": (10.460, 105.633), "An Giang": (10.386, 105.435),
    "Kiên Giang": (10.012, 105.081), "Cần Thơ": (10.045, 105.747), "Hậu Giang": (9.784, 105.470),
    "Sóc Trăng": (9.603, 105.980), "Bạc Liêu": (9.294, 105.728), "Cà Mau": (9.177, 105.150),
}  # fmt: skip
PROVINCES = tuple(sorted(SEATS))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, mean Earth radius 6371 km)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def province_at(latitude: Decimal | float, longitude: Decimal | float) -> str | None:
    """The province whose seat is nearest ``(latitude, longitude)`` within ``REACH_KM``; None elsewhere."""
    point = (float(latitude), float(longitude))
    name, seat = min(SEATS.items(), key=lambda item: _km(point, item[1]))
    return name if _km(point, seat) <= REACH_KM else None
