"""Light and dark themes: the colours the grid paints with and the style sheet.

The style sheet lives in ``resources/style/desk.qss`` with ``$name``
placeholders filled from the theme's colours, so one sheet serves both.  The
desk is read from a standing distance: large type, tall rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from frontdesk.package_data import resources_dir
from frontdesk.plan import Status

RESOURCES: Path = resources_dir()
ICONS = RESOURCES / "icons"

#: Base font size in points: readable from a step back from the desk.
BASE_POINT_SIZE = 13


@dataclass(frozen=True)
class StatusColours:
    fill: str
    border: str
    text: str


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    surface: str
    surface_alt: str
    text: str
    muted: str
    line: str
    hour_line: str
    floor_bg: str
    floor_text: str
    accent: str
    accent_text: str
    selection: str
    now_line: str
    hold_fill: str
    hold_text: str
    banner_bg: str
    banner_text: str
    error_bg: str
    error_text: str
    ok_bg: str
    ok_text: str
    pending: StatusColours
    confirmed: StatusColours
    arrived: StatusColours
    seated: StatusColours
    completed: StatusColours
    freed: StatusColours  # cancelled, no-show

    @property
    def is_dark(self) -> bool:
        return self.name == "dark"

    def status(self, status: Status) -> StatusColours:
        if status in (Status.CANCELLED, Status.NO_SHOW):
            return self.freed
        colours: StatusColours = getattr(self, status.value)
        return colours

    def colour(self, name: str) -> QColor:
        return QColor(getattr(self, name))


LIGHT = Theme(
    name="light",
    window="#f4f2ee",
    surface="#ffffff",
    surface_alt="#f8f6f3",
    text="#1d1a22",
    muted="#6a6473",
    line="#e6e2dc",
    hour_line="#c9c3ba",
    floor_bg="#2b2433",
    floor_text="#f5f1fa",
    accent="#6d3fc9",
    accent_text="#ffffff",
    selection="#d9cdf7",
    now_line="#e0245e",
    hold_fill="#ece8f4",
    hold_text="#4b3f63",
    banner_bg="#b3261e",
    banner_text="#ffffff",
    error_bg="#fde7e6",
    error_text="#8c1d18",
    ok_bg="#e3f5e9",
    ok_text="#0f5132",
    pending=StatusColours("#fff3cd", "#d9a100", "#5c4300"),
    confirmed=StatusColours("#dde8ff", "#3b6fe0", "#14295e"),
    arrived=StatusColours("#ffe3cf", "#e46f1f", "#5a2a08"),
    seated=StatusColours("#d6f3e0", "#2a9d57", "#0c3b1f"),
    completed=StatusColours("#e8e6ec", "#8d8698", "#3a3542"),
    freed=StatusColours("#f7dde0", "#c0394b", "#5a111c"),
)

DARK = Theme(
    name="dark",
    window="#141218",
    surface="#1d1a23",
    surface_alt="#221f29",
    text="#ece8f3",
    muted="#a39cb0",
    line="#2d2935",
    hour_line="#4a4456",
    floor_bg="#2f2640",
    floor_text="#efe8fb",
    accent="#a88bfa",
    accent_text="#15121b",
    selection="#3f3266",
    now_line="#ff4d7e",
    hold_fill="#2a2635",
    hold_text="#cfc5e6",
    banner_bg="#c4372f",
    banner_text="#ffffff",
    error_bg="#4a1d1b",
    error_text="#ffd9d6",
    ok_bg="#173a27",
    ok_text="#c9f2d8",
    pending=StatusColours("#4a3b0f", "#f0c23e", "#ffecb0"),
    confirmed=StatusColours("#1f2f5c", "#7ea4ff", "#dde7ff"),
    arrived=StatusColours("#4e2b12", "#ff9b57", "#ffe2cc"),
    seated=StatusColours("#163b27", "#4fd488", "#d2f7e1"),
    completed=StatusColours("#2e2b35", "#8d8698", "#d2cdda"),
    freed=StatusColours("#4a1d24", "#ff6b7d", "#ffd6db"),
)


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return bool(hints.colorScheme() == Qt.ColorScheme.Dark)


def style_sheet(theme: Theme) -> str:
    template = Template((RESOURCES / "style" / "desk.qss").read_text(encoding="utf-8"))
    values = {k: v for k, v in asdict(theme).items() if isinstance(v, str)}
    values["chevron_down"] = (ICONS / f"chevron-down-{theme.name}.svg").as_posix()
    values["chevron_up"] = (ICONS / f"chevron-up-{theme.name}.svg").as_posix()
    values["pt"] = str(BASE_POINT_SIZE)
    values["pt_small"] = str(BASE_POINT_SIZE - 2)
    values["pt_big"] = str(BASE_POINT_SIZE + 3)
    values["pt_huge"] = str(BASE_POINT_SIZE + 15)
    return template.substitute(values)


def palette(theme: Theme) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    p.setColor(role.Window, QColor(theme.window))
    p.setColor(role.WindowText, QColor(theme.text))
    p.setColor(role.Base, QColor(theme.surface))
    p.setColor(role.AlternateBase, QColor(theme.surface_alt))
    p.setColor(role.Text, QColor(theme.text))
    p.setColor(role.Button, QColor(theme.surface))
    p.setColor(role.ButtonText, QColor(theme.text))
    p.setColor(role.Highlight, QColor(theme.accent))
    p.setColor(role.HighlightedText, QColor(theme.accent_text))
    p.setColor(role.ToolTipBase, QColor(theme.surface))
    p.setColor(role.ToolTipText, QColor(theme.text))
    p.setColor(role.PlaceholderText, QColor(theme.muted))
    p.setColor(role.Mid, QColor(theme.line))
    p.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor(theme.muted))
    p.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor(theme.muted))
    p.setColor(QPalette.ColorGroup.Disabled, role.WindowText, QColor(theme.muted))
    return p


def apply(app: QApplication, theme: Theme) -> None:
    """Fusion, the theme's palette, the style sheet and the base font size."""
    app.setStyle("Fusion")
    app.setPalette(palette(theme))
    font = app.font()
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(style_sheet(theme))


def icon(name: str, colour: str, size: int = 64) -> QIcon:
    """An SVG from resources/icons with ``currentColor`` painted in ``colour``."""
    svg = (ICONS / f"{name}.svg").read_text(encoding="utf-8").replace("currentColor", colour)
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    return QIcon(pixmap)


def app_icon() -> QIcon:
    return QIcon(str(ICONS / "frontdesk.svg"))
