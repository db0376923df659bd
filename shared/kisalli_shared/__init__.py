"""The event-sourcing core shared by every Kisälli service."""
