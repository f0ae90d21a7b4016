"""Wagtail pages: home, guidance library, course catalogue with lessons, news and FAQ.

Parent/child rules keep the tree tidy: one library, one catalogue, one news index and one FAQ under the home
page; guidance only in the library, courses only in the catalogue, lessons only in a course.
"""
from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.widgets.slug import SlugInput
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from . import cache as page_cache
from .blocks import RICH_FEATURES, DocumentBlock, body_blocks


# Wagtail's slug maker drops the Vietnamese letters it cannot transliterate ("Tiếp nhận" -> "tip-nhn"): fold
# them to ASCII first ("tiep-nhan"). Each entry is (JS regex, replacement, flags) for Wagtail's SlugInput.
_VI_LETTERS = {
    "a": "àáạảãâầấậẩẫăằắặẳẵ", "e": "èéẹẻẽêềếệểễ", "i": "ìíịỉĩ", "o": "òóọỏõôồốộổỗơờớợởỡ",
    "u": "ùúụủũưừứựửữ", "y": "ỳýỵỷỹ", "d": "đ",
}
VI_SLUG_FORMATTERS = [(f"[{chars}{chars.upper()}]", base, "g") for base, chars in _VI_LETTERS.items()]


class CachedPage(Page):
    """Anonymous GET requests are served from the cache; any publish invalidates it (see content.cache)."""

    promote_panels = [
        MultiFieldPanel([FieldPanel("slug", widget=SlugInput(formatters=VI_SLUG_FORMATTERS)),
                         FieldPanel("seo_title"), FieldPanel("search_description")], heading=_("For search engines")),
        MultiFieldPanel([FieldPanel("show_in_menus")], heading=_("For site menus")),
    ]

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        return page_cache.serve_cached(self, request, lambda: super(CachedPage, self).serve(request, *args, **kwargs))


class HomePage(CachedPage):
    intro = models.CharField(_("introduction"), max_length=500, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    subpage_types = ["content.GuidanceIndexPage", "content.CourseIndexPage", "content.NewsIndexPage", "content.FAQPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_guidance"] = GuidancePage.objects.live().public().order_by("-issued_on")[:4]
        context["courses"] = CoursePage.objects.live().public().order_by("path")[:6]
        context["news"] = NewsPage.objects.live().public().order_by("-date")[:3]
        return context


# --- Guidance -----------------------------------------------------------------------------------------------

class GuidanceFieldTag(TaggedItemBase):
    content_object = ParentalKey("content.GuidancePage", on_delete=models.CASCADE, related_name="tagged_items")


class SectionPage(CachedPage):
    """A top-level section under the home page (library, catalogue, news, FAQ): one of each, with an intro."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    max_count = 1

    class Meta:
        abstract = True


class GuidanceIndexPage(SectionPage):
    subpage_types = ["content.GuidancePage"]

    class Meta:
        verbose_name = _("guidance library")

    def get_context(self, request, *args, **kwargs):
        from .selectors import guidance_filter

        context = super().get_context(request, *args, **kwargs)
        result = guidance_filter(index=self, field=request.GET.get("linh-vuc", ""),
                                 body=request.GET.get("co-quan", ""), year=request.GET.get("nam", ""))
        context.update(result)
        context["page_obj"] = Paginator(result["items"], 20).get_page(request.GET.get("trang"))
        return context


class GuidancePage(CachedPage):
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=255, blank=True)
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    fields = ClusterTaggableManager(_("fields"), through=GuidanceFieldTag, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(body_blocks(), verbose_name=_("body"), blank=True)
    attachments = StreamField([("document", DocumentBlock(label=_("Attached legal document")))],
                              verbose_name=_("attached legal documents"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("document_number"), FieldPanel("issuing_body"), FieldPanel("issued_on"),
                         FieldPanel("effective_on"), FieldPanel("fields")], heading=_("Document")),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("attachments"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body"),
                                          index.SearchField("document_number")]
    parent_page_types = ["content.GuidanceIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("guidance page")


# --- Courses ------------------------------------------------------------------------------------------------

class CourseIndexPage(SectionPage):
    subpage_types = ["content.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = CoursePage.objects.child_of(self).live().public().order_by("path")
        return context


class LessonCompletion(models.TextChoices):
    """How a lesson of a course counts as studied, as Moodle's activity completion: the reader reaches its end,
    moves on with "Next lesson", or says so with the "Mark as studied" button."""

    END = "end", _("When the reader reaches the end of the lesson")
    NEXT = "next", _("When the reader goes on with \"Next lesson\"")
    BUTTON = "button", _("When the reader presses \"Mark as studied\"")


class CoursePage(CachedPage):
    summary = models.TextField(_("summary"), blank=True)
    objectives = RichTextField(_("learning objectives"), blank=True, features=RICH_FEATURES)
    for_all_officials = models.BooleanField(_("for all officials"), default=False)
    for_reform_officers = models.BooleanField(_("for officials in charge of administrative reform"), default=False)
    for_one_stop_receivers = models.BooleanField(_("for one-stop dossier receivers"), default=False)
    duration_minutes = models.PositiveIntegerField(_("estimated duration (minutes)"), default=60)
    lesson_completion = models.CharField(
        _("a lesson counts as studied"), max_length=8, choices=LessonCompletion.choices, default=LessonCompletion.END,
        help_text=_("For every lesson of this course. The reader's place is remembered whichever you choose."))
    # No final exam here: content sits below exams, so the exam that goes with a module is set on the LMS
    # requirement that names the module (lms.models.Requirement.exam).

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("objectives"),
        MultiFieldPanel([FieldPanel("for_all_officials"), FieldPanel("for_reform_officers"),
                         FieldPanel("for_one_stop_receivers")], heading=_("Audience")),
        FieldPanel("duration_minutes"),
        FieldPanel("lesson_completion"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("objectives")]
    parent_page_types = ["content.CourseIndexPage"]
    subpage_types = ["content.LessonPage"]

    class Meta:
        verbose_name = _("course")

    def lessons(self):
        return LessonPage.objects.child_of(self).live().public().order_by("path")

    def audience_labels(self) -> list[str]:
        labels = []
        if self.for_all_officials:
            labels.append(_("All officials"))
        if self.for_reform_officers:
            labels.append(_("Officials in charge of administrative reform"))
        if self.for_one_stop_receivers:
            labels.append(_("One-stop dossier receivers"))
        return labels


class LessonPage(CachedPage):
    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(body_blocks(self_check=True), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["content.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")

    def get_template(self, request, *args, **kwargs):
        if request.GET.get("in") == "1":
            return "content/lesson_page_print.html"
        return super().get_template(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        siblings = list(LessonPage.objects.sibling_of(self, inclusive=True).live().public().order_by("path")
                        .only("id", "title", "url_path", "path", "depth"))
        ids = [p.pk for p in siblings]
        i = ids.index(self.pk) if self.pk in ids else -1
        context["previous_lesson"] = siblings[i - 1] if i > 0 else None
        context["next_lesson"] = siblings[i + 1] if 0 <= i < len(siblings) - 1 else None
        context["lesson_number"], context["lesson_count"] = i + 1, len(siblings)
        context["course"] = self.get_parent().specific
        return context


# --- News and FAQ -------------------------------------------------------------------------------------------

class NewsIndexPage(SectionPage):
    subpage_types = ["content.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["page_obj"] = Paginator(NewsPage.objects.child_of(self).live().public().order_by("-date"), 10
                                        ).get_page(request.GET.get("trang"))
        return context


class NewsPage(CachedPage):
    date = models.DateField(_("date"))
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(body_blocks(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["content.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news item")


class FAQPage(SectionPage):
    items = StreamField(
        [("item", blocks.StructBlock([("question", blocks.CharBlock(label=_("Question"))),
                                      ("answer", blocks.RichTextBlock(label=_("Answer"), features=RICH_FEATURES))],
                                     label=_("Question and answer"), icon="help"))],
        verbose_name=_("questions"), blank=True)

    content_panels = SectionPage.content_panels + [FieldPanel("items")]
    subpage_types = []

    class Meta:
        verbose_name = _("FAQ")


class SearchEntry(models.Model):
    """One published page as search sees it: its text folded (no diacritics, lower case) character for character,
    so a match found in the folded text is highlighted at the same place in the original. Kept by publish
    signals; rebuilt by `manage.py content_reindex`. The same plain queries run on SQLite and PostgreSQL."""

    page = models.OneToOneField(Page, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    title = models.CharField(max_length=255)
    title_folded = models.CharField(max_length=255)
    text = models.TextField()
    text_folded = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
