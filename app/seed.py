def load_reference():
    pass


def has_users():
    return False


def load_demo():
    return "nothing"
