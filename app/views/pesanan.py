def register(appbuilder):
    pass
