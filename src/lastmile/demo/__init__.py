"""The demo day: a simulated delivery day fed through the platform's public interfaces."""
