"""Bank files as trainers write them (GIFT, Aiken, Moodle XML, the Excel template), shared by the format, bank
and workbook tests: a test that depends on a question's wording reads it here."""
import io

import openpyxl

# The format tests' banks: the same one-stop questions written in GIFT (two categories), Aiken and Moodle XML.
GIFT_BANK = r"""// Ngân hàng câu hỏi bồi dưỡng công chức Bộ phận Một cửa — biên soạn 2024
// Tra cứu thủ tục tại https://dichvucong.gov.vn

$CATEGORY: $course$/Cải cách hành chính/Một cửa

::MC-01 Thẩm quyền thành lập::[html]Theo Nghị định 61/2018/NĐ-CP, Bộ phận Một cửa cấp xã do ai quyết định thành lập?{
    =Chủ tịch Ủy ban nhân dân cấp xã#Đúng: khoản 3 Điều 7 Nghị định 61/2018/NĐ-CP.
    ~Chủ tịch Ủy ban nhân dân cấp huyện#Chưa đúng: cấp huyện chỉ thành lập Bộ phận Một cửa cấp huyện.
    ~%-50%Giám đốc Sở Nội vụ#Sai: Sở Nội vụ không có thẩm quyền này.
    ####Xem Điều 7 Nghị định 61/2018/NĐ-CP về thành lập Bộ phận Một cửa.
}

::MC-02 Hình thức nộp hồ sơ::Theo Nghị định 61/2018/NĐ-CP, tổ chức, cá nhân có thể nộp hồ sơ thủ tục hành chính bằng những cách nào? {
    ~%50%Trực tiếp tại Bộ phận Một cửa#Đúng.
    ~%50%Qua dịch vụ bưu chính công ích
    ~%-100%Qua tin nhắn cá nhân cho cán bộ tiếp nhận#Không được phép.
}

::MC-03 Bưu chính::Cá nhân được nộp hồ sơ và nhận kết quả qua dịch vụ bưu chính công ích.{TRUE#Chưa đúng: Điều 13 cho phép việc này.#Chính xác.}

// Câu này có phản hồi ở đáp án sai
::MC-04 Phí::Mọi thủ tục hành chính tại Bộ phận Một cửa đều miễn phí.{F}

::MC-05 Điền khuyết::Cơ chế giải quyết thủ tục hành chính có sự phối hợp của nhiều cơ quan là cơ chế một cửa {=liên thông#Đúng. =%50%phối hợp#Gần đúng: tên gọi chính thức là liên thông.} theo Nghị định 61/2018/NĐ-CP.

::MC-06 Thời hạn xin lỗi::Thời hạn giải quyết hồ sơ bị trễ, cơ quan phải gửi văn bản xin lỗi chậm nhất trước bao nhiêu ngày so với ngày hẹn trả kết quả?{#1:0####Điều 19 Nghị định 61/2018/NĐ-CP.}

$CATEGORY: $course$/Hộ tịch

Phần II. Câu hỏi về Luật Hộ tịch 2014 và các văn bản hướng dẫn.

::HT-01 Khai sinh::Trong thời hạn bao nhiêu ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đi đăng ký khai sinh?{#60}

::HT-02 Tỷ lệ::Tỷ lệ hồ sơ khai sinh trễ hạn của xã năm 2023 là bao nhiêu phần trăm (sai số cho phép 0.5)?{#2.5:0.5#Theo báo cáo năm 2023 của UBND xã.}

::HT-03 Khoảng::Thời hạn giải quyết đăng ký kết hôn có yếu tố nước ngoài nằm trong khoảng bao nhiêu ngày làm việc?{#10..15}

::HT-04 Nhiều đáp án số::Thời hạn cấp bản sao trích lục hộ tịch qua bưu chính là bao nhiêu ngày?{#
    =3:0#Chính xác.
    =%50%3:2#Gần đúng.
}

::HT-05 Ghép cơ quan::Ghép thủ tục hành chính với cơ quan có thẩm quyền giải quyết:{
    =Đăng ký khai sinh -> Ủy ban nhân dân cấp xã
    =Cấp Giấy chứng nhận đăng ký hộ kinh doanh -> Phòng Tài chính - Kế hoạch cấp huyện
    =Cấp hộ chiếu phổ thông -> Cục Quản lý xuất nhập cảnh
    = -> Sở Tư pháp
}

::HT-06 Tự luận::Trình bày các bước tiếp nhận, giải quyết và trả kết quả hồ sơ đăng ký khai tử tại Bộ phận Một cửa cấp xã.{####Nêu đủ: tiếp nhận, chuyển hồ sơ, giải quyết, trả kết quả.}

::HT-07 Ký hiệu::Mẫu số 01\: mã hồ sơ có dạng \{mã xã\}-\{năm\}. Ký hiệu \= và \~ và \# trong mẫu có ý nghĩa gì?{
    =Dấu \= nối mã xã với năm \{ví dụ 25993\}
    ~Dấu \~ đánh dấu hồ sơ trễ hạn
}
"""

AIKEN_BANK = """Theo Nghị định 61/2018/NĐ-CP, Bộ phận Một cửa cấp xã do ai quyết định thành lập?
A. Chủ tịch Ủy ban nhân dân cấp xã
B. Chủ tịch Ủy ban nhân dân cấp huyện
C. Giám đốc Sở Nội vụ
ANSWER: A

Theo Luật Hộ tịch 2014,
cơ quan nào đăng ký khai sinh cho trẻ em sinh ra tại Việt Nam có cha, mẹ đều là công dân Việt Nam?
A) Ủy ban nhân dân cấp xã nơi cư trú của cha hoặc mẹ
B) Sở Tư pháp
C) Công an cấp huyện
D) Ủy ban nhân dân cấp tỉnh
ANSWER: a
Thời hạn đăng ký khai sinh là bao nhiêu ngày kể từ ngày sinh?
A. 30 ngày
B. 60 ngày
ANSWER: B
"""

XML_BANK = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Cải cách hành chính/Một cửa</text></category>
  </question>
  <question type="multichoice">
    <name><text>MC-01 Thẩm quyền thành lập</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Theo Nghị định 61/2018/NĐ-CP, Bộ phận Một cửa cấp xã do ai quyết định thành lập?</p>]]></text>
    </questiontext>
    <generalfeedback format="html"><text>Xem Điều 7 Nghị định 61/2018/NĐ-CP.</text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <single>true</single>
    <answer fraction="100" format="html">
      <text>Chủ tịch Ủy ban nhân dân cấp xã</text>
      <feedback format="html"><text>Đúng: khoản 3 Điều 7.</text></feedback>
    </answer>
    <answer fraction="0" format="html">
      <text>Chủ tịch Ủy ban nhân dân cấp huyện</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="-33.33333" format="html"><text>Giám đốc Sở Nội vụ</text></answer>
  </question>
  <question type="multichoice">
    <name><text>MC-02 Hình thức nộp</text></name>
    <questiontext format="html"><text>Tổ chức, cá nhân có thể nộp hồ sơ bằng những cách nào?</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>Trực tiếp tại Bộ phận Một cửa</text></answer>
    <answer fraction="50"><text>Qua dịch vụ bưu chính công ích</text></answer>
    <answer fraction="-100"><text>Qua tin nhắn cá nhân cho cán bộ</text>
      <feedback><text>Không được phép.</text></feedback></answer>
  </question>
  <question type="truefalse">
    <name><text>MC-03 Bưu chính</text></name>
    <questiontext format="html"><text>Cá nhân được nhận kết quả qua dịch vụ bưu chính công ích.</text></questiontext>
    <answer fraction="100"><text>true</text><feedback><text>Chính xác.</text></feedback></answer>
    <answer fraction="0"><text>false</text><feedback><text>Chưa đúng: Điều 13 cho phép.</text></feedback></answer>
  </question>
  <question type="category">
    <category><text>$module$/Hộ tịch</text></category>
  </question>
  <question type="shortanswer">
    <name><text>HT-01 Cơ chế</text></name>
    <questiontext format="html"><text>Cơ chế phối hợp giải quyết thủ tục của nhiều cơ quan gọi là cơ chế một cửa gì?</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>liên thông</text><feedback><text>Đúng.</text></feedback></answer>
    <answer fraction="50"><text>phối hợp</text></answer>
  </question>
  <question type="numerical">
    <name><text>HT-02 Khai sinh</text></name>
    <questiontext format="html"><text>Trong bao nhiêu ngày kể từ ngày sinh con, cha hoặc mẹ phải đăng ký khai sinh?</text></questiontext>
    <answer fraction="100"><text>60</text><tolerance>0</tolerance><feedback><text>Điều 15 Luật Hộ tịch.</text></feedback></answer>
    <answer fraction="50"><text>60</text><tolerance>5</tolerance></answer>
    <answer fraction="0"><text>*</text><feedback><text>Xem lại Điều 15.</text></feedback></answer>
  </question>
  <question type="matching">
    <name><text>HT-03 Ghép cơ quan</text></name>
    <questiontext format="html"><text>Ghép thủ tục hành chính với cơ quan có thẩm quyền giải quyết.</text></questiontext>
    <subquestion format="html"><text>Đăng ký khai sinh</text><answer><text>Ủy ban nhân dân cấp xã</text></answer></subquestion>
    <subquestion format="html"><text>Cấp hộ chiếu phổ thông</text><answer><text>Cục Quản lý xuất nhập cảnh</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>Sở Tư pháp</text></answer></subquestion>
  </question>
  <question type="essay">
    <name><text>HT-04 Tự luận</text></name>
    <questiontext format="html"><text>Trình bày quy trình đăng ký khai tử tại Bộ phận Một cửa cấp xã.</text></questiontext>
    <generalfeedback format="html"><text>Nêu đủ bốn bước.</text></generalfeedback>
    <defaultgrade>5</defaultgrade>
  </question>
  <question type="description">
    <name><text>Phần II</text></name>
    <questiontext format="html"><text>Phần II. Các câu hỏi về chứng thực.</text></questiontext>
    <defaultgrade>0</defaultgrade>
  </question>
  <question type="ordering">
    <name><text>HT-05 Trình tự</text></name>
    <questiontext format="html"><text>Sắp xếp các bước giải quyết hồ sơ theo đúng trình tự.</text></questiontext>
    <answer fraction="2"><text>Chuyển hồ sơ đến cơ quan giải quyết</text></answer>
    <answer fraction="1"><text>Tiếp nhận hồ sơ</text></answer>
    <answer fraction="3"><text>Trả kết quả</text></answer>
  </question>
</quiz>
"""


# The bank tests' GIFT file: six questions under two category paths, one of them Moodle's "$course$/top/…".
GIFT = """// Ngân hàng câu hỏi mẫu
$CATEGORY: $course$/top/Cơ chế một cửa/Quy trình

::Thành lập BPMC::Theo Nghị định 61/2018/NĐ-CP, Bộ phận Một cửa cấp xã do ai quyết định thành lập?{
=Chủ tịch UBND cấp xã#Đúng: Điều 7.
~Chủ tịch UBND cấp huyện#Chưa đúng.
~Giám đốc Sở Nội vụ
####Xem Nghị định 61/2018/NĐ-CP.}

::Trách nhiệm::Công chức Bộ phận Một cửa có trách nhiệm gì?{
~%50%Hướng dẫn, tiếp nhận hồ sơ
~%50%Trả kết quả cho tổ chức, cá nhân
~%-100%Thu thêm phí ngoài quy định}

$CATEGORY: top/Thủ tục hành chính

::Đúng sai::Mọi thủ tục hành chính đều phải công khai.{T#Sai rồi.#Chính xác.}

::Thời hạn::Kế hoạch 15122/KH-UBND ban hành năm nào?{#2019:0}

::Khoảng::Tỷ lệ hồ sơ trực tuyến tối thiểu (%) của sở, ngành năm 2020?{#15..25}

::Ghép::Ghép văn bản với nội dung.{
=Nghị định 61/2018/NĐ-CP -> cơ chế một cửa
=Nghị định 130/2018/NĐ-CP -> chữ ký số
=Nghị định 30/2020/NĐ-CP -> công tác văn thư}
"""


# The Excel template's columns, as a trainer's sheet has them.
HEADERS = ["STT", "Chủ đề", "Loại câu hỏi", "Mức độ", "Nội dung câu hỏi", "Phương án A", "Phương án B",
           "Phương án C", "Phương án D", "Đáp án đúng", "Điểm", "Phản hồi chung", "Hướng dẫn chấm", "Thẻ",
           "Phản hồi A", "Phản hồi B"]


def workbook(rows, headers=HEADERS, title_rows=()):
    """A workbook as a trainer would make it by hand: optional title rows, the header row, then the rows
    (dicts by header)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Câu hỏi"
    for line in title_rows:
        sheet.append(line)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good(**changes):
    """A valid single-choice row, with `changes` applied."""
    row = {"Loại câu hỏi": "Một đáp án", "Nội dung câu hỏi": "Ai tiếp nhận hồ sơ?", "Phương án A": "Công chức",
           "Phương án B": "Chủ tịch", "Đáp án đúng": "A"}
    row.update(changes)
    return row
