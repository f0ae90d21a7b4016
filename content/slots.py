"""The places on content's pages where apps above content add their own HTML (see
org.templatetags.extension_points): each is a Wagtail hook name, called with the template context and the
arguments noted."""

# A lesson page, fn(context, lesson): inside <head>; attributes of the lesson's <article> (each after a space);
# after the article; at the end of <body>.
LESSON_HEAD = "content_lesson_head"
LESSON_ARTICLE_ATTRS = "content_lesson_article_attrs"
LESSON_AFTER_ARTICLE = "content_lesson_after_article"
LESSON_SCRIPTS = "content_lesson_scripts"
# A module's list of lessons, fn(context, module, lesson): after the lesson's title.
MODULE_LESSON = "content_module_lesson"
