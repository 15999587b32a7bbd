"""The demo's pictures, drawn with Pillow (nothing is downloaded): simple pack shots of the
products and an illustrated portrait of the doctor."""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageDraw, ImageFont

SIZE = 800
LABEL_BACKGROUND = (250, 248, 243)
INK = (34, 40, 38)
Box = tuple[int, int, int, int]
Colour = tuple[int, int, int]


def _shade(colour: Colour, factor: float) -> Colour:
    red, green, blue = (max(0, min(255, round(channel * factor))) for channel in colour)
    return red, green, blue


def _tint(colour: Colour, amount: float) -> Colour:
    """``colour`` mixed with white; ``amount`` is the share of white."""
    red, green, blue = (round(channel + (255 - channel) * amount) for channel in colour)
    return red, green, blue


@cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _dropper(draw: ImageDraw.ImageDraw, colour: Colour) -> Box:
    draw.rounded_rectangle((290, 330, 510, 680), 34, fill=colour)
    draw.rectangle((355, 270, 445, 340), fill=_shade(colour, 0.8))
    draw.rounded_rectangle((340, 235, 460, 290), 10, fill=_shade(colour, 0.35))
    draw.ellipse((360, 120, 440, 260), fill=_shade(colour, 0.3))
    return (305, 430, 495, 600)


def _pump(draw: ImageDraw.ImageDraw, colour: Colour) -> Box:
    draw.rounded_rectangle((270, 320, 530, 690), 44, fill=colour)
    draw.rounded_rectangle((355, 260, 445, 330), 8, fill=_shade(colour, 0.6))
    draw.rectangle((388, 185, 412, 262), fill=_shade(colour, 0.45))
    draw.rounded_rectangle((330, 160, 440, 195), 8, fill=_shade(colour, 0.45))
    draw.rectangle((270, 168, 332, 184), fill=_shade(colour, 0.45))
    return (295, 420, 505, 610)


def _tube(draw: ImageDraw.ImageDraw, colour: Colour) -> Box:
    draw.polygon([(268, 150), (532, 150), (480, 610), (320, 610)], fill=colour)
    draw.rectangle((262, 126, 538, 156), fill=_shade(colour, 0.75))
    draw.rounded_rectangle((330, 600, 470, 690), 14, fill=_shade(colour, 0.5))
    return (300, 250, 500, 440)


def _jar(draw: ImageDraw.ImageDraw, colour: Colour) -> Box:
    draw.rounded_rectangle((215, 450, 585, 680), 36, fill=colour)
    draw.rounded_rectangle((228, 370, 572, 460), 20, fill=_shade(colour, 0.55))
    return (250, 490, 550, 640)


def _bottle(draw: ImageDraw.ImageDraw, colour: Colour) -> Box:
    draw.rounded_rectangle((295, 270, 505, 690), 30, fill=colour)
    draw.rounded_rectangle((345, 165, 455, 280), 12, fill=_shade(colour, 0.4))
    return (312, 390, 488, 590)


SHAPES = {"dropper": _dropper, "pump": _pump, "tube": _tube, "jar": _jar, "bottle": _bottle}


def _label(draw: ImageDraw.ImageDraw, box: Box, lines: list[str], brand: str) -> None:
    draw.rounded_rectangle(box, 10, fill=LABEL_BACKGROUND)
    left, top, right, bottom = box
    centre = (left + right) // 2
    size = 34 if max(len(line) for line in lines) <= 9 else 28
    heights = size + 8
    y = (top + bottom) // 2 - (heights * len(lines)) // 2 - 10
    for line in lines:
        draw.text((centre, y), line, fill=INK, font=_font(size), anchor="mt")
        y += heights
    draw.text((centre, bottom - 16), brand.upper(), fill=_tint(INK, 0.35), font=_font(15),
              anchor="mb")


def draw_pack_shot(label: str, brand: str, shape: str, colour: Colour) -> Image.Image:
    """A square picture of a pack in ``colour`` with ``label`` (``\\n`` breaks lines)."""
    image = Image.new("RGB", (SIZE, SIZE), _tint(colour, 0.86))
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 660, 600, 720), fill=_tint(colour, 0.7))
    label_box = SHAPES[shape](draw, colour)
    _label(draw, label_box, label.split("\n"), brand)
    return image


PORTRAIT_SIZE = 400
PORTRAIT_BACKGROUND = (214, 228, 224)
COAT, COAT_SHADOW = (250, 250, 247), (214, 218, 216)
BLOUSE = (64, 104, 138)
SKIN, SKIN_SHADOW = (226, 184, 152), (204, 160, 128)
HAIR = (92, 62, 44)
FEATURES = (70, 48, 40)


def draw_portrait() -> Image.Image:
    """Head and shoulders in a white coat over a blue blouse, on a soft green ground."""
    image = Image.new("RGB", (PORTRAIT_SIZE, PORTRAIT_SIZE), PORTRAIT_BACKGROUND)
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
