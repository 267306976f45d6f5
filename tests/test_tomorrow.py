"""The Tomorrow page's plan from a lesson's events: pure, so every line a teacher reads is checked here."""
from hub.report import SessionEvent
from hub.roster import RosterStudent
from hub.tomorrow import plan_tomorrow

MEMBERS = [RosterStudent("s1", "Maya", "Rivera", "red", ("robots",), 3),
           RosterStudent("s2", "Liam", "Chen", "red", ("art",), 2),
           RosterStudent("s3", "Ava", "Diaz", "blue", ("robots",), 4),
           RosterStudent("s4", "Noah", "Kim", "blue", (), None)]
NAMES = {"s1": "Maya R.", "s2": "Liam C.", "s3": "Ava D.", "s4": "Noah K."}
STATIONS = {"tech": "Tech Station", "reading": "Reading Nook"}


def test_stuck_absent_goals_notes_and_groups_for_tomorrow():
    events = [
        SessionEvent(100, "checkin", "s1", "tech"), SessionEvent(110, "goal", "s1", "tech", {"goal": "Try hard"}),
        SessionEvent(200, "exit_ticket", "s1", "tech", {"how": "stuck", "next": "More robots"}),
        SessionEvent(300, "checkin", "s1", "reading"),
        SessionEvent(400, "exit_ticket", "s1", "reading", {"how": "got_it"}),
        SessionEvent(120, "checkin", "s3", "reading"), SessionEvent(130, "goal", "s3", "reading", {"goal": "Help"}),
        SessionEvent(140, "seated", "s2", "teacher-table"),
        SessionEvent(150, "conference", "s2", "teacher-table", {"tags": ["reading"], "text": "sounds out words"}),
        SessionEvent(160, "checkin", "intruder", "tech"),  # not in this class: never shown
    ]
    plan = plan_tomorrow(events, MEMBERS, NAMES, STATIONS, 0, 500, "Period 3", apart=[("s1", "s3")])
    assert [(s.name, s.station, s.next) for s in plan.stuck] == [("Maya R.", "Tech Station", "More robots")]
    assert plan.never_checked_in == ["Noah K."]
    assert [(g.name, g.goal, g.ended) for g in plan.goals] == [("Ava D.", "Help", "no exit ticket"),
                                                               ("Maya R.", "Try hard", "got it")]
    assert [(n.name, n.tags, n.text) for n in plan.notes] == [("Liam C.", ("reading",), "sounds out words")]
    assert len(plan.groups) == 2 and sorted(m.student_id for g in plan.groups.values() for m in g) == \
        ["s1", "s2", "s3", "s4"]
    maya = next(m for g in plan.groups.values() for m in g if m.student_id == "s1")
    assert maya.reason.startswith("level 4 (last ticket: got it)") and "kept apart from Ava D." in maya.reason
    assert not any({"s1", "s3"} <= {m.student_id for m in g} for g in plan.groups.values())


def test_a_class_that_cannot_be_grouped_says_why_and_the_rest_of_the_plan_stands():
    plan = plan_tomorrow([], MEMBERS[:2], NAMES, STATIONS, 0, 10, count=2, apart=[("s1", "s2")], strategy="random")
    assert sorted(len(g) for g in plan.groups.values()) == [1, 1] and plan.grouping_problem == ""
    plan = plan_tomorrow([], MEMBERS[:2], NAMES, STATIONS, 0, 10, count=1, apart=[("s1", "s2")])
    assert plan.groups == {} and "cannot keep s1 and s2 apart" in plan.grouping_problem
    assert plan.never_checked_in == ["Liam C.", "Maya R."]


def test_goals_in_tomorrows_advice_a_goal_met_wants_a_new_one_and_not_yet_again_and_again_a_conference():
    from hub.goals import GoalCheck, GoalRow

    not_yet = tuple(GoalCheck(at, "tech", "not_yet") for at in (-900, -500, 200))
    history = {
        "s1": [GoalRow(1, "s1", "Try hard", "flag", "room", "student", -1000, 300, "met")],  # met in this lesson
        "s2": [GoalRow(2, "s2", "Read to my brother", "menu_book", "own", "teacher", -1000, checks=not_yet)],
        "s3": [GoalRow(3, "s3", "Help", "flag", "room", "student", -1000, checks=not_yet[:2])],  # twice: not yet
        "s4": [GoalRow(4, "s4", "Help", "flag", "room", "student", -1000, -600, "met")],  # met in an earlier lesson
    }
    plan = plan_tomorrow([], MEMBERS, NAMES, STATIONS, 0, 500, goal_history=history)
    assert [(a.name, a.what, a.why) for a in plan.goal_advice] == [
        ("Liam C.", "confer about their goal", "“Read to my brother”: “not yet” 3 times"),
        ("Maya R.", "set a new goal with them at the teacher's table", "met their goal “Try hard” this lesson")]


def test_a_goal_carried_over_and_met_in_the_lesson_is_listed_under_goals_as_met():
    from hub.goals import GoalRow

    events = [SessionEvent(100, "checkin", "s1", "tech"), SessionEvent(200, "exit_ticket", "s1", "tech",
                                                                      {"how": "got_it", "goal": "met"})]
    history = {"s1": [GoalRow(1, "s1", "Try hard", "flag", "room", "student", -1000, 200, "met")],  # set before
               "s4": [GoalRow(4, "s4", "Help", "flag", "room", "student", -1000, -600, "met")]}  # met before: not now
    plan = plan_tomorrow(events, MEMBERS, NAMES, STATIONS, 0, 500, goal_history=history)
    assert [(g.name, g.goal, g.met, g.ended) for g in plan.goals] == [("Maya R.", "Try hard", True, "got it")]
    assert [a.name for a in plan.goal_advice] == ["Maya R."]  # beside it, the advice about the same goal


def test_a_student_who_never_came_is_not_told_to_pick_in_choice_rounds():
    events = [SessionEvent(100, "checkin", "s1", "tech"), SessionEvent(150, "placed", "s1", "reading"),
              SessionEvent(150, "placed", "s4", "reading"),  # placed by the plan, but never in the room
              SessionEvent(150, "seated", "s2", "teacher-table"), SessionEvent(150, "placed", "s2", "teacher-table")]
    plan = plan_tomorrow(events, MEMBERS, NAMES, STATIONS, 0, 500)
    assert [(c.name, c.reason) for c in plan.choices] == [("Maya R.", "did not choose (1 time): help them pick")]
    assert plan.never_checked_in == ["Ava D.", "Noah K."]
