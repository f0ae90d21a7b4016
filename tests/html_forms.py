"""What a browser would send for a form as rendered, untouched: the rules of HTML's form submission (successful
controls), applied to a page the test client fetched. Used to check that opening and saving a form changes nothing."""
from bs4 import BeautifulSoup

_NOT_SENT = {"submit", "button", "image", "reset", "file"}


def _crlf(value: str) -> str:
    # Browsers send every line break as CR LF.
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _option_value(option) -> str:
    value = option.get("value")
    return value if value is not None else " ".join(option.get_text().split())


def form_fields(html: bytes | str, *, containing: str) -> dict[str, list[str]]:
    """The name → values a browser submits for the first <form> that has a control named `containing`."""
    soup = BeautifulSoup(html, "html.parser")
    form = next((f for f in soup.find_all("form") if f.find(attrs={"name": containing})), None)
    if form is None:
        raise AssertionError(f"no form with a control named {containing!r}")
    data: dict[str, list[str]] = {}
    for control in form.find_all(["input", "select", "textarea"]):
        name = control.get("name")
        if not name or control.has_attr("disabled") or control.find_parent("fieldset", disabled=True):
            continue
        values: list[str] = []
        if control.name == "input":
            kind = (control.get("type") or "text").lower()
            if kind in _NOT_SENT:
                continue
            if kind in ("checkbox", "radio"):
                if control.has_attr("checked"):
                    values = [control.get("value", "on")]
            else:
                values = [control.get("value", "")]
        elif control.name == "select":
            options = [o for o in control.find_all("option") if not o.has_attr("disabled")]
            chosen = [o for o in options if o.has_attr("selected")]
            if control.has_attr("multiple"):
                values = [_option_value(o) for o in chosen]
            elif chosen or options:
                # A single select with nothing marked selected sends its first option.
                values = [_option_value((chosen or options)[-1 if chosen else 0])]
        else:
            text = control.get_text()
            # The HTML parser keeps the line break right after <textarea>, a browser drops it.
            values = [_crlf(text[1:] if text.startswith("\n") else text)]
        data.setdefault(name, []).extend(values)
    return data


def options(html: bytes | str, *, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected-or-checked) of every choice offered for the control `name`: the options of a
    <select> or the checkboxes/radios of that name with their label text."""
    soup = BeautifulSoup(html, "html.parser")
    select = soup.find("select", attrs={"name": name})
    if select is not None:
        return [(_option_value(o), o.get_text(), o.has_attr("selected")) for o in select.find_all("option")]
    found = []
    for box in soup.find_all("input", attrs={"name": name}):
        label = box.find_parent("label") or (soup.find("label", attrs={"for": box["id"]}) if box.get("id") else None)
        found.append((box.get("value", "on"), label.get_text() if label else "", box.has_attr("checked")))
    return found
