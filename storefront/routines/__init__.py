"""Build my routine: from a reader's concerns to a morning and an evening routine.

``answers`` reads the questions, ``services`` holds every rule that turns answers into a
routine (and puts it in the cart), ``editing`` is the back office's side (the steps' order
and the conflict rules), ``defaults`` the rules a new shop starts with.
"""
