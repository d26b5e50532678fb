"""Data values made inert in Markdown: escaped text and code spans, checked with a CommonMark renderer."""

from __future__ import annotations

from markdown_it import MarkdownIt

from msi_agent import markdown

RENDER = MarkdownIt("commonmark", {"html": True}).enable("table")


def test_text_escapes_html_links_and_cells_but_keeps_names_readable() -> None:
    assert markdown.text("pick_and_place_simple") == "pick_and_place_simple"
    assert markdown.text("msi-hashmap v1.2") == "msi-hashmap v1.2"
    assert markdown.text("a\n\tb") == "a b"
    html = RENDER.render(markdown.text("<script>x</script> [a](javascript:b) ![i](j) &amp; `c` *d*"))
    assert html == "<p>&lt;script&gt;x&lt;/script&gt; [a](javascript:b) ![i](j) &amp;amp; `c` *d*</p>\n"


def test_text_keeps_table_cells_whole() -> None:
    table = f"| a | b |\n|---|---|\n| {markdown.text('x | y')} | z |\n"
    assert "<td>x | y</td>" in RENDER.render(table)


def test_code_span_shows_any_value_literally() -> None:
    for value in ("id-1", "a`b", "``", "`start", "<b>x</b>"):
        html = RENDER.render(markdown.code(value))
        assert html.startswith("<p><code>") and "<b>" not in html, (value, html)
    assert markdown.code("a`b") == "``a`b``"
