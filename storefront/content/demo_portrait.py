"""An illustrated portrait of the demo's doctor, drawn with Pillow (nothing is downloaded)."""

from __future__ import annotations

from PIL import Image, ImageDraw

SIZE = 400
BACKGROUND = (214, 228, 224)
COAT, COAT_SHADOW = (250, 250, 247), (214, 218, 216)
BLOUSE = (64, 104, 138)
SKIN, SKIN_SHADOW = (226, 184, 152), (204, 160, 128)
HAIR = (92, 62, 44)
FEATURES = (70, 48, 40)


def draw_portrait() -> Image.Image:
    """Head and shoulders in a white coat over a blue blouse, on a soft green ground."""
    image = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.ellipse((112, 52, 288, 262), fill=HAIR)  # hair behind the face
    draw.rectangle((112, 160, 288, 300), fill=HAIR)
    draw.rounded_rectangle((70, 300, 330, 460), 90, fill=COAT)  # shoulders
    draw.polygon([(168, 300), (232, 300), (200, 372)], fill=BLOUSE)  # the open collar
    draw.line([(168, 300), (200, 372), (232, 300)], fill=COAT_SHADOW, width=6)
    draw.rectangle((178, 236, 222, 300), fill=SKIN_SHADOW)  # neck
    draw.ellipse((138, 92, 262, 252), fill=SKIN)  # face
    draw.chord((132, 70, 268, 170), 180, 360, fill=HAIR)  # fringe
    for x in (176, 224):
        draw.ellipse((x - 7, 162, x + 7, 174), fill=FEATURES)  # eyes
    draw.arc((178, 196, 222, 226), 20, 160, fill=FEATURES, width=4)  # a smile
    draw.rounded_rectangle((246, 350, 290, 362), 4, fill=BLOUSE)  # a pen in the pocket
    return image
