"""``rotation hub web``: the teacher's own device, a private web companion to the wall map."""
