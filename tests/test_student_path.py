"""A student's own path, built from their events (hub/student_path.py): pure."""
from hub.student_path import PathEvent, goals_met, student_path
from shared.config import StationConfig

STATIONS = (StationConfig("teacher-table", "Teacher's Table", "teacher-led", kiosk=False),
            StationConfig("independent", "Independent Practice", "independent", activities=("Worksheet", "Game")),
            StationConfig("tech", "Tech Station", "tech"))
DAY = 86400.0


def test_each_lesson_lists_the_stations_in_the_order_visited_with_choices_tickets_and_wishes():
    lessons = [(2 * DAY, 2 * DAY + 3000), (DAY, DAY + 3000)]  # newest first, as the store gives them
    events = [PathEvent(DAY + 10, "checkin", "tech", {}), PathEvent(DAY + 20, "exit_ticket", "tech", {"how": "stuck"}),
              PathEvent(2 * DAY + 10, "checkin", "independent", {}),
              PathEvent(2 * DAY + 11, "checkin", "independent", {}),  # a second read: the same visit
              PathEvent(2 * DAY + 12, "choice", "independent", {"activity": "Worksheet"}),
              PathEvent(2 * DAY + 13, "goal", "independent", {"goal": "Ask a friend"}),
              PathEvent(2 * DAY + 100, "exit_ticket", "independent", {"how": "got_it"}),
              PathEvent(2 * DAY + 101, "exit_ticket", "independent", {"how": "got_it", "next": "More of this",
                                                                      "goal": "met"}),
              PathEvent(2 * DAY + 200, "seated", "teacher-table", {}),
              PathEvent(2 * DAY + 300, "checkin", "independent", {}),  # back again: a visit of its own
              PathEvent(5 * DAY, "checkin", "tech", {})]  # in no lesson of theirs: left out
    newest, older = student_path(lessons, events, STATIONS)
    assert newest.started == 2 * DAY and [v.station for v in newest.visits] == [
        "independent", "teacher-table", "independent"]
    first = newest.visits[0]
    assert (first.name, first.activity, first.ticket, first.next) == (
        "Independent Practice", "Worksheet", "got_it", "More of this")
    assert (first.colour, first.picture, first.activity_picture) == ("blue", "edit", "edit")
    assert (newest.goal, newest.goal_met) == ("Ask a friend", True)
    assert [(v.station, v.ticket) for v in older.visits] == [("tech", "stuck")] and not older.goal_met
    assert goals_met((newest, older)) == ("Ask a friend",)


def test_a_station_no_longer_in_the_room_is_shown_by_its_id():
    (lesson,) = student_path([(0.0, None)], [PathEvent(5, "checkin", "old-corner", {})], STATIONS)
    assert (lesson.visits[0].station, lesson.visits[0].name, lesson.visits[0].colour) == ("old-corner", "old-corner",
                                                                                          None)


def test_a_ticket_given_after_a_seat_at_the_teachers_table_belongs_to_the_visit_where_it_was_given():
    events = [PathEvent(10, "checkin", "tech", {}), PathEvent(20, "choice", "tech", {"activity": "Code"}),
              PathEvent(30, "seated", "teacher-table", {}),  # placed there by the hub, still at the tech station
              PathEvent(40, "exit_ticket", "tech", {"how": "got_it"}),
              PathEvent(41, "exit_ticket", "tech", {"how": "got_it", "goal": "closer"})]  # the goal question's
    (lesson,) = student_path([(0.0, 100.0)], events, STATIONS)
    assert [(v.station, v.ticket) for v in lesson.visits] == [("tech", "got_it"), ("teacher-table", None)]


def test_the_goals_of_a_path_are_in_the_students_language_where_the_teacher_wrote_them():
    from hub.goals import RoomGoal
    from hub.student_path import in_language

    goals = [RoomGoal("Read aloud", "menu_book", {"en": "Read aloud", "es": "Leer en voz alta", "uk": "Читати"}),
             RoomGoal("Finish what I start", "flag", {})]  # the room file's: the kiosk's catalog says it
    lessons = student_path([(0.0, 100.0), (-DAY, -DAY + 100)],
                           [PathEvent(-DAY + 5, "goal", "tech", {"goal": "Read aloud"}),
                            PathEvent(5, "goal", "tech", {"goal": "Finish what I start"})], STATIONS)
    shown, met = in_language(lessons, ("Read aloud", "Finish what I start", "My own"), goals, "es")
    assert [lesson.goal for lesson in shown] == ["Finish what I start", "Leer en voz alta"]
    assert met == ("Leer en voz alta", "Finish what I start", "My own")
