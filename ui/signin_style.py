"""The sign-in screen's style sheet, in the theme's colours."""

from __future__ import annotations

from ui import theme


def style_sheet(c: theme.Theme) -> str:
    """The rules for the card, the staff list, the PIN field and its pad."""
    pt = theme.BASE_POINT_SIZE
    return f"""
QFrame#SignInCard {{
    background: {c.surface};
    border: 1px solid {c.line};
    border-radius: 18px;
}}
QLabel#SignInVenue {{ color: {c.muted}; font-weight: 600; }}
QLabel#SignInTitle {{ font-size: {pt + 13}pt; font-weight: 800; }}
QLabel#SignInSubtitle {{ font-size: {pt + 1}pt; }}
QLabel#PinLabel {{ color: {c.muted}; font-weight: 600; }}
QListWidget#StaffList {{
    background: {c.surface_alt};
    border: 1px solid {c.line};
    border-radius: 10px;
    padding: 4px;
}}
QListWidget#StaffList::item {{ border-radius: 8px; }}
QListWidget#StaffList::item:selected {{ background: {c.accent}; color: {c.accent_text}; }}
QListWidget#StaffList::item:hover:!selected {{ background: {c.selection}; }}
QLineEdit#PinField {{
    font-size: {pt + 13}pt;
    font-weight: 700;
    min-height: 48px;
    lineedit-password-character: 9679;
}}
QPushButton#PinKey, QPushButton#Primary {{
    font-size: {pt + 5}pt;
    font-weight: 600;
    padding: 8px 4px;
}}
QPushButton#SignInLink {{
    border: none;
    background: transparent;
    color: {c.accent};
    padding: 8px 4px;
}}
QPushButton#SignInLink:hover {{ text-decoration: underline; }}
"""
