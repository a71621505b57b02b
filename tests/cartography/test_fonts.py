"""One font choice for every output, and the Simplified-Chinese face of a font collection."""

import pytest
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from pdf_fonts import pdf_font_names

from network.io.fonts import cjk_font, cjk_font_file, cjk_font_properties
from resources.fonts import CJK_FAMILIES, first_installed

needs_noto = pytest.mark.skipif(
    not (cjk_font() or "").startswith("Noto Sans CJK"), reason="fonts-noto-cjk not installed"
)


def test_simplified_chinese_families_come_first():
    assert CJK_FAMILIES[:2] == ("Noto Sans CJK SC", "Source Han Sans SC")
    assert first_installed(["Noto Sans CJK JP", "Noto Sans CJK SC"]) == "Noto Sans CJK SC"


@needs_noto
@pytest.mark.parametrize("weight", ["normal", "bold"])
def test_the_collection_face_is_the_sc_face(weight):
    path = cjk_font_file(weight)
    assert str(path).endswith((".ttc", ".otc"))
    face = FT2Font(path, face_index=path.face_index)
    assert face.family_name == "Noto Sans CJK SC"
    # the file alone would give the collection's first face, the Japanese one
    assert FT2Font(str(path)).family_name != "Noto Sans CJK SC"


@needs_noto
def test_a_figure_drawn_with_the_properties_embeds_the_sc_face(tmp_path):
    fig = Figure()
    fig.text(0.1, 0.5, "直骨令 污水管网", fontproperties=cjk_font_properties(10))
    fig.text(0.1, 0.3, "标题", fontproperties=cjk_font_properties(12, "bold"))
    fig.savefig(tmp_path / "f.pdf")
    names = pdf_font_names(tmp_path / "f.pdf")
    assert "NotoSansCJKsc-Regular" in names and "NotoSansCJKsc-Bold" in names
    assert "CJKjp" not in names
