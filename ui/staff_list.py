"""The list of people who can sign in at this desk, for the sign-in screen.

Each row is a name in large type with the role beside it in the muted
colour.  The list never takes the focus: the PIN field hands it letters and
arrow keys.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from frontdesk.desk import StaffMember
from ui import theme

MEMBER_ROLE = Qt.ItemDataRole.UserRole


def role_label(role: str) -> str:
    """ "manager" -> "Manager", as the list shows it."""
    return role[:1].upper() + role[1:]


class StaffList(QListWidget):
    """The venue's staff, one row each; ``colours`` is the theme it draws in."""

    def __init__(self, colours: theme.Theme, parent: QWidget) -> None:
        super().__init__(parent)
        self.colours = colours
        self.setObjectName("StaffList")
        # The PIN field keeps the focus; it hands letters and arrows to the list.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setItemDelegate(_StaffDelegate(self, self))
        self.setFixedWidth(300)

    def fill(self, members: list[StaffMember]) -> None:
        """Show ``members`` (the list's signals are the caller's to block)."""
        self.clear()
        for member in members:
            item = QListWidgetItem(member.name)
            item.setData(MEMBER_ROLE, member)
            item.setToolTip(f"{member.name} · {member.role}")
            self.addItem(item)

    def current_member(self) -> StaffMember | None:
        item = self.currentItem()
        member = item.data(MEMBER_ROLE) if item is not None else None
        return member if isinstance(member, StaffMember) else None

    def choose(self, name: str) -> bool:
        """Pick ``name`` (any case); False: nobody of that name here."""
        for row in range(self.count()):
            item = self.item(row)
            member = item.data(MEMBER_ROLE)
            if isinstance(member, StaffMember) and member.name.lower() == name.lower():
                self.setCurrentItem(item)
                return True
        return False


class _StaffDelegate(QStyledItemDelegate):
    """A name in large type, the role beside it in the muted colour."""

    def __init__(self, staff_list: StaffList, parent: QObject) -> None:
        super().__init__(parent)
        self._list = staff_list

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        member = index.data(MEMBER_ROLE)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if not isinstance(member, StaffMember):
            return
        colours = self._list.colours
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        rect = opt.rect.adjusted(16, 0, -16, 0)
        painter.save()
        font = QFont(opt.font)
        font.setPointSize(theme.BASE_POINT_SIZE + 3)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(colours.accent_text if selected else colours.text))
        align = Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect, align | Qt.AlignmentFlag.AlignLeft, member.name)
        font.setPointSize(theme.BASE_POINT_SIZE - 1)
        font.setBold(False)
        painter.setFont(font)
        painter.setPen(QColor(colours.accent_text if selected else colours.muted))
        painter.drawText(rect, align | Qt.AlignmentFlag.AlignRight, role_label(member.role))
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(260, 54)
