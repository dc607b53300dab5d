from tracer import create_app

app = create_app()
