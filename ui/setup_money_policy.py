"""The Setup window's deposit policy: what a no-show and a late cancellation
do to a paid deposit, the free cancellation notice, and when tables under
their minimum spend are flagged on the grid (the engine applies them:
sql/engine/62_money.sql)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QSpinBox, QWidget

from ui.setup_widgets import CountBox

#: The deposit policy's numbers (the engine applies them: 62_money.sql).
MONEY_POLICY = (
    (
        "free_cancel_hours",
        "Free cancellation up to",
        0,
        720,
        " hour before",
        " hours before",
        "A cancellation this long before the booking starts gets its paid deposit back",
    ),
    (
        "spend_flag_minutes",
        "Flag tables under their minimum",
        0,
        600,
        " minute before closing",
        " minutes before closing",
        "On the grid, from this long before closing (0: never)",
    ),
)
#: What happens to a paid deposit: (key, label), and the choices in words.
DEPOSIT_RULES = (
    ("no_show_deposit", "A no-show's deposit"),
    ("late_cancel_deposit", "A late cancellation's deposit"),
)
DEPOSIT_CHOICES = (
    ("forfeit", "Kept by the venue (forfeited)"),
    ("refund", "Refunded"),
    ("manual", "A manager decides"),
)


def money_policy_box(
    parent: QWidget,
    spins: dict[str, QSpinBox],
    spin_changed: Callable[[int], None],
    rule_chosen: Callable[[], None],
) -> tuple[QGroupBox, dict[str, QComboBox]]:
    """The group of boxes; its spin boxes are added to ``spins`` (the page's
    policy boxes, shown and saved like the others)."""
    box = QGroupBox("Deposits and minimum spend", parent)
    form = QFormLayout(box)
    rules: dict[str, QComboBox] = {}
    for key, label in DEPOSIT_RULES:
        combo = QComboBox(parent)
        for value, words in DEPOSIT_CHOICES:
            combo.addItem(words, value)
        combo.setProperty("key", key)
        combo.activated.connect(rule_chosen)
        rules[key] = combo
        form.addRow(label, combo)
    for key, label, low, high, one, many, tip in MONEY_POLICY:
        spin = CountBox(one, many, parent)
        spin.setRange(low, high)
        spin.setToolTip(tip)
        spin.setProperty("key", key)
        spin.valueChanged.connect(spin_changed)
        spins[key] = spin
        form.addRow(label, spin)
    return box, rules
