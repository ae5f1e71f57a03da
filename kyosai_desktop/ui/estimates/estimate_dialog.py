"""The estimate form (見積り入力) and the status-step dialog.

The form has every 別紙2 field plus 区分, 連絡先, 状況 with the date of each step, and 備考.
It works from the keyboard: Enter moves to the next field (as in Excel), Ctrl+Enter saves
and opens a blank form for the next person of the batch, Ctrl+S saves, Esc cancels (asking
first when something was typed).
Premiums are typed as ``¥49,690`` or ``49690``, dates as ``2022年2月14日`` or ``2022-02-14``;
年間差額 and 引下率 are shown live as the premiums are typed.  Invalid values are refused
with the reason beside the field, and nothing is saved until every field is valid.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.domain.estimate_values import (
    grade_text,
    parse_age,
    parse_date,
    parse_payment,
    parse_yen,
    plain_text,
)
from kyosai_desktop.domain.estimates import MEMBER, ROLES, STATUS_RANK, STATUSES, row_figures
from kyosai_desktop.services.report_table import format_date
from kyosai_desktop.store.estimates import STATUS_DATE, Estimate
from kyosai_desktop.store.unions import Union
from kyosai_desktop.ui.shared.discard_guard import DiscardGuard

DATE_HINT = "2022-02-14 / 2022年2月14日"
YEN_HINT = "¥49,690 または 49690"
STEP_LABELS = {
    "requested_on": "依頼受付日",
    "estimated_on": "見積作成日",
    "returned_on": "返却日",
    "closed_on": "申込日 / 不成約日",
}
ERROR_STYLE = "QLineEdit { border: 2px solid #C00000; }"


class _EnterMovesOn(QObject):
    """Enter in a line edit moves to the next field instead of closing the dialog."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.dialog.focusNextChild()
            return True
        return False


class EstimateDialog(QDialog):
    """Add or edit one estimate; ``values`` (and ``union_id``) hold the result after accept."""

    def __init__(
        self,
        unions: list[Union],
        *,
        estimate: Estimate | None = None,
        union_id: int | None = None,
        next_seq: int = 1,
        default_role: str = MEMBER,
        campaign: str = "",
        seq_taken=None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.estimate = estimate
        self.values: dict[str, object] = {}
        self.union_id: int | None = estimate.union_id if estimate else union_id
        self.next_requested = False
        self._seq_taken = seq_taken or (lambda union_id, seq: False)
        self.setWindowTitle(
            ("見積りの編集" if estimate else "見積りの追加")
            + (f" — {campaign}" if campaign else "")
        )
        self._enter = _EnterMovesOn(self)
        self.errors: dict[str, QLabel] = {}

        self.union_combo = QComboBox()
        for u in unions:
            self.union_combo.addItem(f"{u.key} {u.name}", u.id)
        if self.union_id is not None:
            self.union_combo.setCurrentIndex(max(0, self.union_combo.findData(self.union_id)))
        self.union_combo.setEnabled(estimate is None)
        self.seq = QSpinBox()
        self.seq.setRange(1, 99999)
        self.seq.setValue(estimate.seq if estimate else next_seq)
        self.role = QComboBox()
        self.role.addItems(list(ROLES))
        self.role.setCurrentText(estimate.role if estimate else default_role)
        self.name = self._line("氏名", "例: 山田 太郎")
        self.age = self._line("年齢", "例: 28", width=60)
        self.contact = self._line("連絡先", "電話・内線など")
        self.car = self._line("車名", "例: アクア")
        self.grade_now = self._line("現在等級", "入力どおり (例: 6(5), -)", width=110)
        self.grade_new = self._line("適応等級", "入力どおり", width=110)
        self.vehicle = QCheckBox("車両補償あり (○)")
        self.other = self._line("他社掛金", YEN_HINT, width=150)
        self.jichiro = self._line("じちろう掛金", YEN_HINT, width=150)
        self.payment = QComboBox()
        self.payment.addItems(["", "年", "月"])
        self.computed = QLabel()
        self.computed.setObjectName("computedFigures")
        self.computed.setWordWrap(True)
        self.computed.setMaximumWidth(430)
        self.maturity = self._line("保険(共済)満期日", DATE_HINT, width=170)
        self.inspection = self._line("車検満了日", DATE_HINT, width=170)
        self.status = QComboBox()
        self.status.addItems(list(STATUSES))
        self.steps = {
            key: self._line(label, "例: 2024-10-15", width=170)
            for key, label in STEP_LABELS.items()
        }
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(60)
        self._build_layout(estimate is None)
        self._fill(estimate)
        for w in (self.other, self.jichiro):
            w.textChanged.connect(self._update_computed)
        self.payment.currentTextChanged.connect(self._update_computed)
        self.status.currentTextChanged.connect(self._status_changed)
        self._update_computed()
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.save_and_next)
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.save_and_next)
        self.name.setFocus()
        self.guard = DiscardGuard(self)

    def reject(self) -> None:
        """Esc, キャンセル and × ask before throwing typed values away."""
        if self.guard.allow_close():
            super().reject()

    # ------------------------------------------------------------------ layout
    def _line(self, label: str, hint: str, width: int | None = None) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(hint)
        edit.setAccessibleName(label)
        edit.installEventFilter(self._enter)
        if width:
            edit.setMinimumWidth(width)
        return edit

    def _with_error(self, key: str, widget: QWidget) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addWidget(widget)
        err = QLabel()
        err.setStyleSheet("color: #C00000;")
        err.setWordWrap(True)
        err.hide()
        lay.addWidget(err)
        self.errors[key] = err
        return box

    def _build_layout(self, is_new: bool) -> None:
        person = QGroupBox("見積り依頼者")
        pf = QFormLayout(person)
        pf.addRow("単組", self.union_combo)
        pf.addRow("No.", self._with_error("seq", self.seq))
        pf.addRow("区分", self.role)
        pf.addRow("氏名", self._with_error("name", self.name))
        pf.addRow("年齢", self._with_error("age", self.age))
        pf.addRow("連絡先", self.contact)
        car = QGroupBox("車両・掛金")
        cf = QFormLayout(car)
        cf.addRow("車名", self.car)
        grades = QHBoxLayout()
        grades.addWidget(self.grade_now)
        grades.addWidget(QLabel("→ 適応等級"))
        grades.addWidget(self.grade_new)
        cf.addRow("現在等級", grades)
        cf.addRow("車両", self.vehicle)
        cf.addRow("他社掛金", self._with_error("other_premium", self.other))
        cf.addRow("じちろう掛金", self._with_error("jichiro_premium", self.jichiro))
        cf.addRow("支払", self.payment)
        cf.addRow("計算", self.computed)
        cf.addRow("保険(共済)満期日", self._with_error("policy_maturity", self.maturity))
        cf.addRow("車検満了日", self._with_error("inspection_due", self.inspection))
        flow = QGroupBox("状況")
        ff = QFormLayout(flow)
        ff.addRow("状況", self.status)
        for key, edit in self.steps.items():
            ff.addRow(STEP_LABELS[key], self._with_error(key, edit))
        ff.addRow("備考", self.notes)
        grid = QGridLayout()
        grid.addWidget(person, 0, 0)
        grid.addWidget(flow, 1, 0)
        grid.addWidget(car, 0, 1, 2, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton("保存 (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.next_button = QPushButton("保存して次の人へ (Ctrl+Enter)")
        self.next_button.clicked.connect(self.save_and_next)
        self.next_button.setVisible(is_new)
        self.buttons.addButton(self.next_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.message = QLabel()
        self.message.setStyleSheet("color: #C00000;")
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _fill(self, e: Estimate | None) -> None:
        if e is None:
            self.status.setCurrentText("依頼受付")
            self.steps["requested_on"].setText(format_date(date.today()))
            return
        self.name.setText(e.name or "")
        self.age.setText("" if e.age is None else str(e.age))
        self.contact.setText(e.contact or "")
        self.car.setText(e.car or "")
        self.grade_now.setText(e.grade_now or "")
        self.grade_new.setText(e.grade_new or "")
        self.vehicle.setChecked(e.vehicle_cover)
        self.other.setText("" if e.other_premium is None else f"{e.other_premium:,}")
        self.jichiro.setText("" if e.jichiro_premium is None else f"{e.jichiro_premium:,}")
        self.payment.setCurrentText(e.payment or "")
        self.maturity.setText(format_date(e.policy_maturity))
        self.inspection.setText(format_date(e.inspection_due))
        self.status.setCurrentText(e.status)
        for key, edit in self.steps.items():
            edit.setText(format_date(getattr(e, key)))
        self.notes.setPlainText(e.notes or "")

    # ------------------------------------------------------------------ behaviour
    def _update_computed(self) -> None:
        try:
            other = parse_yen(self.other.text())
            jichiro = parse_yen(self.jichiro.text())
            payment = parse_payment(self.payment.currentText())
        except ValueError:
            self.computed.setText("—")
            return
        f = row_figures(other, jichiro, payment)
        if f.flags:
            self.computed.setText("集計外: " + "・".join(f.flags))
            self.computed.setStyleSheet("color: #9C5700;")
            return
        self.computed.setStyleSheet("")
        self.computed.setText(
            f"年間差額 ¥{f.difference:,}　引下率 {'—' if f.rate is None else f'{f.rate}%'}"
        )

    def _status_changed(self, status: str) -> None:
        key = STATUS_DATE[status]
        if not self.steps[key].text().strip():
            self.steps[key].setText(format_date(date.today()))

    def collect(self) -> dict[str, object] | None:
        """Parse every field; show each error beside its field; None when any is invalid."""
        for label in self.errors.values():
            label.hide()
        for edit in [
            self.name,
            self.age,
            self.other,
            self.jichiro,
            self.maturity,
            self.inspection,
            *self.steps.values(),
        ]:
            edit.setStyleSheet("")
        values: dict[str, object] = {}
        bad: list[QWidget] = []

        def take(key: str, widget: QWidget, parse, raw) -> None:
            try:
                values[key] = parse(raw)
            except ValueError as exc:
                self._error(key, widget, str(exc))
                bad.append(widget)

        values["name"] = plain_text(self.name.text())
        if values["name"] is None:
            self._error("name", self.name, "氏名を入力してください。")
            bad.append(self.name)
        take("age", self.age, parse_age, self.age.text())
        values["contact"] = plain_text(self.contact.text())
        values["car"] = plain_text(self.car.text())
        values["grade_now"] = grade_text(self.grade_now.text())
        values["grade_new"] = grade_text(self.grade_new.text())
        values["vehicle_cover"] = self.vehicle.isChecked()
        take(
            "other_premium", self.other, lambda v: parse_yen(v, label="他社掛金"), self.other.text()
        )
        take(
            "jichiro_premium",
            self.jichiro,
            lambda v: parse_yen(v, label="じちろう掛金"),
            self.jichiro.text(),
        )
        values["payment"] = parse_payment(self.payment.currentText())
        take(
            "policy_maturity",
            self.maturity,
            lambda v: parse_date(v, label="保険(共済)満期日"),
            self.maturity.text(),
        )
        take(
            "inspection_due",
            self.inspection,
            lambda v: parse_date(v, label="車検満了日"),
            self.inspection.text(),
        )
        values["status"] = self.status.currentText()
        for key, edit in self.steps.items():
            take(key, edit, lambda v, k=key: parse_date(v, label=STEP_LABELS[k]), edit.text())
        values["notes"] = plain_text(self.notes.toPlainText())
        values["seq"] = self.seq.value()
        values["role"] = self.role.currentText()
        union_id = self.union_combo.currentData()
        if self.estimate is None or self.estimate.seq != values["seq"]:
            if union_id is not None and self._seq_taken(union_id, values["seq"]):
                self._error("seq", self.seq, f"No. {values['seq']} は既に使われています。")
                bad.append(self.seq)
        if not bad:
            self._check_step_order(values, bad)
        if bad:
            self.message.setText(f"{len(bad)} か所を直してください。")
            bad[0].setFocus()
            return None
        self.message.setText("")
        self.union_id = union_id
        return values

    def _check_step_order(self, values: dict[str, object], bad: list[QWidget]) -> None:
        rank = STATUS_RANK[values["status"]]  # type: ignore[index]
        previous: tuple[str, str] | None = None
        for status in ("依頼受付", "見積作成", "返却済", "成約"):
            key = STATUS_DATE[status]
            if STATUS_RANK[status] > rank and values.get(key):
                self._error(
                    key,
                    self.steps[key],
                    f"状況が「{values['status']}」なので、この日付は入力できません。",
                )
                bad.append(self.steps[key])
                continue
            day = values.get(key)
            if day and previous and day < previous[1]:  # type: ignore[operator]
                self._error(key, self.steps[key], f"{STEP_LABELS[previous[0]]}より前の日付です。")
                bad.append(self.steps[key])
            if day:
                previous = (key, day)  # type: ignore[assignment]

    def _error(self, key: str, widget: QWidget, text: str) -> None:
        label = self.errors.get(key)
        if label is not None:
            label.setText(text)
            label.show()
        if isinstance(widget, QLineEdit):
            widget.setStyleSheet(ERROR_STYLE)

    def save(self) -> None:
        values = self.collect()
        if values is not None:
            self.values = values
            self.accept()

    def save_and_next(self) -> None:
        if self.estimate is not None:
            self.save()
            return
        self.next_requested = True
        self.save()
        if not self.values:
            self.next_requested = False


class StatusDialog(QDialog):
    """Move one or more estimates to a status step, dated (default today)."""

    def __init__(self, status: str, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = status
        self.setWindowTitle(f"状況を「{status}」にする")
        label = {"成約": "申込日", "不成約": "不成約の確定日"}.get(status, f"{status}の日付")
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy年M月d日")
        form = QFormLayout()
        form.addRow(QLabel(f"選択した {count} 件の見積りを「{status}」にします。"))
        form.addRow(label, self.date_edit)
        if status == "成約":
            form.addRow(QLabel("※ キャンペーンの成約は申込日で数えます。"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("変更する")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def iso_date(self) -> str:
        return self.date_edit.date().toString("yyyy-MM-dd")
