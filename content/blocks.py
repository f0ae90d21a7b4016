"""StreamField blocks for guidance and lessons."""
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_FEATURES = ["bold", "italic", "h3", "h4", "ol", "ul", "link", "document-link", "hr"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "content/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    embed = EmbedBlock(label=_("Video link (YouTube, …)"), required=False)
    file = DocumentChooserBlock(label=_("or an uploaded video file (.mp4)"), required=False)
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "content/blocks/video.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Title shown"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "content/blocks/document.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(label=_("Kind"), choices=[("info", _("Note")), ("tip", _("Tip")), ("warning", _("Warning"))],
                              default="info")
    title = blocks.CharBlock(label=_("Title"), required=False)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "content/blocks/callout.html"


class LegalQuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quoted text"))
    source = blocks.CharBlock(label=_("Source (document, article)"))

    class Meta:
        icon = "openquote"
        label = _("Quotation from a legal text")
        template = "content/blocks/legal_quote.html"


class SelfCheckOption(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"))
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)


class SelfCheckBlock(blocks.StructBlock):
    """A practice question inside a lesson; answered in the browser, never graded or recorded."""

    question = blocks.CharBlock(label=_("Question"))
    options = blocks.ListBlock(SelfCheckOption(), label=_("Answers"), min_num=2)
    explanation = blocks.TextBlock(label=_("Explanation shown after answering"), required=False)

    class Meta:
        icon = "help"
        label = _("Self-check question")
        template = "content/blocks/self_check.html"


class TableWithCaption(TableBlock):
    class Meta:
        label = _("Table")
        template = "content/blocks/table.html"


def body_blocks(*, self_check: bool = False):
    items = [
        ("heading", blocks.CharBlock(label=_("Heading"), form_classname="title", icon="title",
                                     template="content/blocks/heading.html")),
        ("paragraph", blocks.RichTextBlock(label=_("Paragraph"), features=RICH_FEATURES)),
        ("image", ImageBlock()),
        ("video", VideoBlock()),
        ("document", DocumentBlock()),
        ("callout", CalloutBlock()),
        ("legal_quote", LegalQuoteBlock()),
        ("table", TableWithCaption()),
    ]
    if self_check:
        items.append(("self_check", SelfCheckBlock()))
    return items
