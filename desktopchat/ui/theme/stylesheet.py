"""The application style sheet, written from the tokens (one per scheme).

Qt widgets that Qt paints (buttons, fields, menus, scroll bars, tabs) get their shape here:
flat surfaces, rounded inputs, slim scroll bars, a visible focus outline. Widgets are picked
by object name (``#sidebar``, ``#composerFrame``…), set where they are built, so the look is
decided in this file and the widgets only say what they are.

Focus: every focusable control draws a 2 px outline in ``focus`` while it has keyboard
focus (inputs and buttons here; check boxes and item views through
:class:`~desktopchat.ui.theme.style.FocusRingStyle`). Padding shrinks by the outline's extra
pixel so nothing moves when focus arrives.
"""

from __future__ import annotations

from desktopchat.ui.theme.tokens import Colours, Radius, Size, Space


def build(c: Colours) -> str:
    """The style sheet for colours ``c``."""
    ring = Size.FOCUS_RING
    arrow = Size.COMBO_ARROW // 2  # the triangle's half width
    return f"""
QMainWindow, QDialog {{ background: {c.window}; }}
QWidget {{ color: {c.text}; }}
QToolTip {{
    background: {c.tooltip}; color: {c.on_tooltip}; border: none;
    padding: {Space.XS}px {Space.S}px; border-radius: {Radius.S}px;
}}

QMenuBar {{
    background: {c.window}; border-bottom: 1px solid {c.border}; padding: 1px {Space.XS}px;
}}
QMenuBar::item {{
    background: transparent; padding: {Space.XS}px {Space.M - 2}px; border-radius: {Radius.S}px;
}}
QMenuBar::item:selected, QMenuBar::item:pressed {{ background: {c.hover}; }}
QMenu {{
    background: {c.raised}; border: 1px solid {c.border_strong}; border-radius: {Radius.M}px;
    padding: {Space.XS}px;
}}
QMenu::item {{
    padding: {Space.XS + 2}px {Space.XL}px {Space.XS + 2}px {Space.M}px;
    border-radius: {Radius.S}px;
}}
QMenu::item:selected {{ background: {c.accent}; color: {c.on_accent}; }}
QMenu::item:disabled {{ color: {c.text_disabled}; }}
QMenu::separator {{ height: 1px; background: {c.border}; margin: {Space.XS}px {Space.S}px; }}

QSplitter::handle {{ background: {c.border}; }}
QSplitter::handle:horizontal {{ width: 1px; }}
QSplitter::handle:vertical {{ height: 1px; }}

QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 2px; }}
QScrollBar::handle {{ background: {c.scrollbar}; border-radius: 3px; }}
QScrollBar::handle:vertical {{ min-height: 32px; }}
QScrollBar::handle:horizontal {{ min-width: 32px; }}
QScrollBar::handle:hover {{ background: {c.scrollbar_hover}; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}

QPushButton {{
    background: {c.raised}; color: {c.text}; border: 1px solid {c.border_strong};
    border-radius: {Radius.M}px; padding: {Space.XS + 1}px {Space.M + 2}px;
}}
QPushButton:hover {{ background: {c.hover}; }}
QPushButton:default, QPushButton[primary="true"] {{
    background: {c.accent}; color: {c.on_accent}; border-color: {c.accent};
}}
QPushButton:default:hover, QPushButton[primary="true"]:hover {{ background: {c.accent_hover}; }}
QPushButton:focus {{ border: {ring}px solid {c.focus}; padding: {Space.XS}px {Space.M + 1}px; }}
QPushButton:disabled {{
    color: {c.text_disabled}; background: {c.window}; border-color: {c.border};
}}
QPushButton:default:focus, QPushButton[primary="true"]:focus {{ border-color: {c.text}; }}
QPushButton:default:disabled {{ color: {c.on_accent}; background: {c.border_strong}; }}

QToolButton {{
    background: transparent; color: {c.text}; border: 1px solid transparent;
    border-radius: {Radius.M}px; padding: {Space.XS}px;
}}
QToolButton:hover {{ background: {c.hover}; }}
QToolButton:pressed, QToolButton:checked {{ background: {c.border}; }}
QToolButton:focus {{ border: {ring}px solid {c.focus}; padding: {Space.XS - 1}px; }}

QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QComboBox {{
    background: {c.raised}; color: {c.text}; border: 1px solid {c.border_strong};
    border-radius: {Radius.M}px; padding: {Space.XS + 1}px {Space.S}px;
    selection-background-color: {c.accent}; selection-color: {c.on_accent};
}}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QSpinBox:focus, QComboBox:focus {{
    border: {ring}px solid {c.focus}; padding: {Space.XS}px {Space.S - 1}px;
}}
QLineEdit:disabled, QPlainTextEdit:disabled {{
    color: {c.text_disabled}; background: {c.window}; border-color: {c.border};
}}
QLabel:disabled {{ color: {c.text_disabled}; }}
/* A plain list under the field: Fusion's menu-like popup kept too little room for its
   rows beside the style sheet's borders and scrolled three choices. The arrow is a
   triangle of borders (no image file to keep per theme): with a ::drop-down rule nothing
   else draws one, and without it Qt drew a Windows 95 button edge around Fusion's. Its
   sides are the field's colour: Qt skips a transparent side and then draws a bar. */
QComboBox {{ combobox-popup: 0; }}
QComboBox::drop-down {{ border: none; width: {Space.XL}px; }}
QComboBox::down-arrow {{
    width: 0; height: 0; border-top: {arrow}px solid {c.text_muted};
    border-left: {arrow}px solid {c.raised}; border-right: {arrow}px solid {c.raised};
}}
QComboBox::down-arrow:disabled {{ border-top-color: {c.text_disabled}; }}
QComboBox QAbstractItemView {{
    background: {c.raised}; border: 1px solid {c.border_strong}; outline: 0;
    selection-background-color: {c.accent}; selection-color: {c.on_accent};
}}
QComboBox QAbstractItemView::item {{ padding: {Space.XS}px {Space.S}px; }}
/* Some Linux desktops' themes put stock icons (a green tick, a red cross) on dialog
   buttons, none of them in the theme's colours: none here. */
QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
QCheckBox, QRadioButton {{
    spacing: {Space.S}px; padding: 1px {Space.XS}px 1px 2px;
    border: {ring}px solid transparent; border-radius: {Radius.S}px;
}}
QCheckBox:focus, QRadioButton:focus {{ border-color: {c.focus}; }}

QTabWidget::pane {{ border: 1px solid {c.border}; border-radius: {Radius.M}px; top: -1px; }}
QTabBar::tab {{
    background: transparent; color: {c.text_muted}; padding: {Space.S - 2}px {Space.M + 2}px;
    border: {ring}px solid transparent; border-radius: {Radius.S}px;
    margin-right: {Space.XS}px;
}}
QTabBar::tab:selected {{ color: {c.text}; border-bottom-color: {c.accent}; }}
QTabBar::tab:hover {{ color: {c.text}; }}
QTabBar::tab:focus {{ border-color: {c.focus}; }}

QListView, QListWidget, QTreeView, QTableView {{
    background: {c.surface}; border: 1px solid {c.border}; border-radius: {Radius.M}px;
    selection-background-color: {c.accent}; selection-color: {c.on_accent};
}}
QListView:focus, QListWidget:focus {{ border: {ring}px solid {c.focus}; }}
QGroupBox {{
    border: 1px solid {c.border}; border-radius: {Radius.M}px;
    margin-top: {Space.L}px; padding-top: {Space.S}px;
}}
QGroupBox::title {{ subcontrol-origin: margin; left: {Space.S}px; color: {c.text_muted}; }}

QLabel[role="muted"] {{ color: {c.text_muted}; }}
QLabel[role="error"] {{ color: {c.danger}; }}
QLabel[role="section"] {{ color: {c.text_muted}; font-weight: 600; }}

#sidebar {{ background: {c.sidebar}; }}
#sidebar QListView {{ background: transparent; border: none; border-radius: 0; }}
#sidebar QListView:focus {{ border: {ring}px solid {c.focus}; border-radius: {Radius.M}px; }}
#sidebar QToolButton {{ color: {c.text_muted}; }}
#sidebar QToolButton:hover {{ color: {c.text}; }}
#membersColumn {{ background: {c.sidebar}; }}
#members {{ background: transparent; border: none; border-radius: 0; }}
#members {{ padding-left: {Space.L - Space.XS}px; }} /* rows start under the MEMBERS title */
#members:focus {{ border: {ring}px solid {c.focus}; }}
#searchPanel {{ background: {c.sidebar}; border-left: 1px solid {c.border}; }}
#searchStatus {{ color: {c.text_muted}; }}
#searchResults {{ background: {c.surface}; border: 1px solid {c.border}; }}

#header {{ background: {c.window}; border-bottom: 1px solid {c.border}; }}
#roomTopic, #memberCount {{ color: {c.text_muted}; }}
#searchButton, #messageSearch {{
    background: {c.sidebar}; color: {c.text_muted}; border: 1px solid {c.border};
    border-radius: {Radius.M}px; padding: {Space.XS}px {Space.M}px; text-align: left;
}}
#searchButton:hover, #messageSearch:hover {{ border-color: {c.border_strong}; color: {c.text}; }}
#searchButton:focus, #messageSearch:focus {{
    border: {ring}px solid {c.focus}; padding: {Space.XS - 1}px {Space.M - 1}px;
}}

#messages {{ background: {c.surface}; border-radius: 0; }}
#messages {{ border: {ring}px solid transparent; }}
#messages:focus {{ border-color: {c.focus}; }}
#typing {{ color: {c.text_muted}; }}
#notice {{ color: {c.text}; }}

#composerFrame {{
    background: {c.raised}; border: 1px solid {c.border_strong}; border-radius: {Radius.L}px;
}}
#composerFrame[focused="true"] {{ border: {ring}px solid {c.focus}; }}
#composerFrame QPlainTextEdit, #composerFrame QPlainTextEdit:focus {{
    background: transparent; border: none; padding: 0;
}}
#editingBar {{ background: {c.bar_info}; color: {c.on_bar_info}; border-radius: {Radius.M}px; }}
#editingBar QLabel {{ color: {c.on_bar_info}; }}
#byteCounter {{ color: {c.text_muted}; padding: 0 {Space.XS}px {Space.XS + 1}px; }}
#byteCounter[over="true"] {{ color: {c.danger}; font-weight: 700; }}
#composerFrame QToolButton {{ padding: {Space.XXS}px; }}
#composerFrame QToolButton:focus {{ padding: {Space.XXS - 1}px; }}
#composerFrame #sendButton {{ padding: {Space.XS}px {Space.M}px; }}
#composerFrame #sendButton:focus {{ padding: {Space.XS - 1}px {Space.M - 1}px; }}
#composerFrame #sendButton:disabled {{
    background: transparent; color: {c.text_disabled}; border-color: transparent;
}}
#editingBar QToolButton {{ color: {c.on_bar_info}; padding: {Space.XXS}px {Space.S}px; }}
#editingBar QToolButton:hover {{ background: {c.raised}; color: {c.text}; }}
#editingBar QToolButton:focus {{ padding: {Space.XXS - 1}px {Space.S - 1}px; }}
#trayScroll, #trayStrip {{ background: transparent; border: none; }}
#fileCard {{
    background: {c.raised}; border: 1px solid {c.border_strong}; border-radius: {Radius.M}px;
}}
#fileCardThumb {{ background: {c.code_background}; border-radius: {Radius.S}px; }}
#fileCardSize {{ color: {c.text_muted}; }}
#fileCardRemove {{ padding: 0 {Space.XS}px; border: none; background: transparent; }}
#fileCardRemove:hover {{ background: {c.hover}; color: {c.danger}; }}
#fileCardRemove:focus {{ border: {ring}px solid {c.focus}; }}
#trayNotice {{ color: {c.danger}; }}
#emojiPicker {{
    background: {c.raised}; border: 1px solid {c.border_strong}; border-radius: {Radius.L}px;
}}
#mentionList {{
    background: {c.raised}; border: 1px solid {c.border_strong}; border-radius: {Radius.M}px;
    padding: {Space.XXS}px;
}}
#mentionList::item {{ padding: {Space.XS}px {Space.S}px; border-radius: {Radius.S}px; }}
#mentionList::item:hover {{ background: {c.hover}; }}
#mentionList::item:selected {{ background: {c.accent}; color: {c.on_accent}; }}
#emojiPicker QListView {{ background: transparent; border: none; }}
#emojiPicker QListView::item {{ border-radius: {Radius.M}px; }}
#emojiPicker QListView::item:hover {{ background: {c.hover}; }}
#emojiPicker QListView::item:selected {{
    background: {c.hover}; color: {c.text}; border: {ring}px solid {c.focus};
}}

#connectionBar {{ border: none; }}
#connectionBar[mood="offline"] {{ background: {c.bar_offline}; }}
#connectionBar[mood="offline"] QLabel {{ color: {c.on_bar_offline}; }}
#connectionBar[mood="connecting"] {{ background: {c.bar_connecting}; }}
#connectionBar[mood="connecting"] QLabel {{ color: {c.on_bar_connecting}; }}
#connectionBar[mood="info"] {{ background: {c.bar_info}; }}
#connectionBar[mood="info"] QLabel {{ color: {c.on_bar_info}; }}
#connectionBar QPushButton {{ padding: 1px {Space.M}px; }}
#connectionBar QPushButton:focus {{ padding: 0 {Space.M - 1}px; }}

#switcherVeil {{ background: transparent; }}
#switcher {{
    background: {c.raised}; border: 1px solid {c.border_strong}; border-radius: {Radius.L}px;
}}
#switcher QListView {{ border: none; background: transparent; }}
#switcher QListView:focus {{ border: {ring}px solid {c.focus}; }}
#dialogTitle {{ font-weight: 700; }}
#dialogLead {{ color: {c.text_muted}; }}
#fingerprint {{
    background: {c.code_background}; color: {c.text}; border: 1px solid {c.code_border};
    border-radius: {Radius.S}px; padding: {Space.S}px; font-family: monospace;
}}
#emptyState {{ color: {c.text_muted}; }}
"""
