"""Run on a real X server (``QT_QPA_PLATFORM=xcb``): what a dialog's buttons and a combo
box look like with the app's theme. Prints one JSON object.

On X11, Qt's generic desktop theme asks for stock icons on dialog buttons (the offscreen
platform never does), so only a real display shows whether the theme keeps them off.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox

from desktopchat.ui import theme


def main() -> int:
    """Theme the app, build a button box and a combo box, report on them."""
    app = QApplication(sys.argv[:1])
    theme.apply(sys.argv[1] if len(sys.argv) > 1 else "light")
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    combo = QComboBox()
    combo.addItems(["Follow the system", "Light", "Dark"])
    combo.resize(300, combo.sizeHint().height())
    combo.show()
    image = combo.grab().toImage()
    field = QColor(theme.colours(combo.palette()).raised)  # the field's own colour
    # The arrow: pixels in the right quarter, away from the border, unlike the field.
    arrow = sum(
        1
        for x in range(image.width() * 3 // 4, image.width() - 4)
        for y in range(4, image.height() - 4)
        if abs(image.pixelColor(x, y).lightness() - field.lightness()) > 60
    )
    print(
        json.dumps(
            {
                "platform": app.platformName(),
                "button_icons": [not b.icon().isNull() for b in buttons.buttons()],
                "arrow_pixels": arrow,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
