"""Question-bank interchange formats (GIFT, Aiken, Moodle XML, the Excel template) as plain dataclasses: no models,
no database."""
from .aiken import parse_aiken, write_aiken
from .gift import parse_gift, write_gift
from .model import Choice, FormatError, NumericAnswer, ParseError, Question, UnsupportedQuestion
from .moodle_xml import parse_moodle_xml, write_moodle_xml
from .xlsx import parse_xlsx, write_xlsx, xlsx_template

__all__ = ["Choice", "FormatError", "NumericAnswer", "ParseError", "Question", "UnsupportedQuestion",
           "parse_aiken", "parse_gift", "parse_moodle_xml", "parse_xlsx", "write_aiken", "write_gift",
           "write_moodle_xml", "write_xlsx", "xlsx_template"]
