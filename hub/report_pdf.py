"""The Tomorrow page and its lesson's summary as a printable PDF (A4), in the cards' fonts: names print in
whatever script the roster has them."""
from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from hub.cards_pdf import PAPERS, fonts_drawing, shaping_pdf
from hub.report import TICKET_WORDS, Report, lesson_title
from hub.tomorrow import Tomorrow
from shared.languages import ENGLISH
from shared.protocol import TICKETS

MARGIN = 15.0
BODY, HEADING, TITLE = 10.5, 13.0, 17.0


def _texts(plan: Tomorrow, report: Report) -> list[str]:
    return [plan.class_name, *(s.name + s.station + s.next for s in plan.stuck), *plan.never_checked_in,
            *(g.name + g.goal for g in plan.goals), *(a.name + a.what + a.why for a in plan.goal_advice),
            *(n.name + n.text + " ".join(n.tags) for n in plan.notes),
            *(m.name + m.reason for members in plan.groups.values() for m in members),
            *(s.station for s in report.stations)]


def tomorrow_pdf(plan: Tomorrow, report: Report, paper: str = "a4") -> bytes:
    pdf = shaping_pdf(PAPERS[paper], fonts_drawing(_texts(plan, report)), f"Tomorrow: {plan.class_name}")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN)
    pdf.add_page()
    _line(pdf, f"Tomorrow · {lesson_title(plan.class_name, plan.started, plan.ended)}", TITLE)
    pdf.ln(2)
    _heading(pdf, f"Stuck ({len(plan.stuck)})")
    for stuck in plan.stuck:
        _line(pdf, f"{stuck.name} at {stuck.station}" + (f": would like “{stuck.next}” next" if stuck.next else ""))
    _none(pdf, plan.stuck, "Nobody said stuck.")
    _heading(pdf, f"Never checked in ({len(plan.never_checked_in)})")
    if plan.never_checked_in:
        _line(pdf, ", ".join(plan.never_checked_in))
    _none(pdf, plan.never_checked_in, "Everyone came.")
    _heading(pdf, f"Goals ({len(plan.goals)})")
    for goal in plan.goals:
        _line(pdf, f"{goal.name}: “{goal.goal}”{', met this lesson' if goal.met else ''}, ended with {goal.ended}")
    _none(pdf, plan.goals, "Nobody had a goal.")
    for advice in plan.goal_advice:
        _line(pdf, f"{advice.name}: {advice.what} ({advice.why})")
    _heading(pdf, f"Notes ({len(plan.notes)})")
    for note in plan.notes:
        _line(pdf, f"{note.at} {note.name}: {', '.join(note.tags)}{' · ' if note.tags and note.text else ''}"
                   f"{note.text}")
    _none(pdf, plan.notes, "No notes.")
    _heading(pdf, f"Groups for tomorrow ({plan.strategy})")
    if plan.grouping_problem:
        _line(pdf, plan.grouping_problem)
    for group, members in plan.groups.items():
        _line(pdf, group.replace("-", " ").title(), BODY + 1, bold_gap=True)
        for member in members:
            _line(pdf, f"   {member.name}: {member.reason}")
    _heading(pdf, "The lesson by station")
    words = [TICKET_WORDS[t] for t in TICKETS]
    _line(pdf, f"station: students, minutes; exit tickets {' / '.join(words)}; calls for help")
    for station in report.stations:
        tickets = " / ".join(str(station.tickets[t]) for t in TICKETS)
        _line(pdf, f"{station.station}: {ENGLISH.count('{n} student', '{n} students', station.students)}, "
                   f"{station.minutes:g} min; {tickets}; {ENGLISH.count('{n} call', '{n} calls', station.help_calls)}")
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    _line(pdf, text, HEADING)
    pdf.set_draw_color(150, 150, 150)
    pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
    pdf.ln(1)


def _none(pdf: FPDF, items: list, text: str) -> None:
    if not items:
        pdf.set_text_color(90, 90, 90)
        _line(pdf, text)
        pdf.set_text_color(0, 0, 0)


def _line(pdf: FPDF, text: str, size: float = BODY, bold_gap: bool = False) -> None:
    if bold_gap:
        pdf.ln(1)
    pdf.set_font("NotoSans", size=size)
    pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
