"""Dead-letter redrive: list, show and replay what no consumer could process."""
